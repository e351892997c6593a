/** The texts of the access feature's mails. No secrets beyond the one link each mail exists to carry. */
import type { Mail } from '../mail/mailer.js';

const ROLE_WORDS = { owner: 'an owner', admin: 'an admin', operator: 'an operator', viewer: 'a viewer' } as const;

/** Invitation: the link lets the invitee choose a password (7 days). */
export function invitationMail(publicUrl: URL, v: { to: string; name: string; inviterName: string; role: keyof typeof ROLE_WORDS; token: string }): Mail {
  const link = new URL(`/invite#token=${v.token}`, publicUrl).toString();
  return {
    to: v.to,
    subject: 'You are invited to the CRM console',
    text: [
      `Hello ${v.name},`,
      '',
      `${v.inviterName} invited you to the CRM console as ${ROLE_WORDS[v.role]}.`,
      'Open this link within 7 days to choose your password:',
      '',
      link,
      '',
      'If you did not expect this invitation, ignore this mail.',
    ].join('\n'),
  };
}

/** Password reset: the link lets the user set a new password (1 hour). */
export function passwordResetMail(publicUrl: URL, v: { to: string; name: string; token: string }): Mail {
  const link = new URL(`/reset-password#token=${v.token}`, publicUrl).toString();
  return {
    to: v.to,
    subject: 'Reset your CRM console password',
    text: [
      `Hello ${v.name},`,
      '',
      'Open this link within 1 hour to choose a new password. Using it signs you out everywhere.',
      '',
      link,
      '',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n'),
  };
}
