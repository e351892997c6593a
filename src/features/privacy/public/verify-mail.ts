/** The mail that lets a public-form requester confirm their request. Carries the one link it exists for. */
import type { Mail } from '../../mail/mailer.js';

/** The verification link (the token travels in the query: the logger drops query strings). */
export function verifyLinkOf(publicUrl: URL, token: string): string {
  const url = new URL('/data-deletion/verify', publicUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

export function deletionVerifyMail(publicUrl: URL, v: { to: string; token: string }): Mail {
  return {
    to: v.to,
    subject: 'Confirm your data deletion request',
    text: [
      'Hello,',
      '',
      'Someone, probably you, asked to delete the data this CRM console holds about this email address.',
      'Open this link within 24 hours and press "Confirm my request" to go ahead:',
      '',
      verifyLinkOf(publicUrl, v.token),
      '',
      'Nothing is deleted until you confirm. If you did not ask for this, ignore this mail.',
    ].join('\n'),
  };
}
