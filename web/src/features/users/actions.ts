/**
 * The actions on one user: their button text, what the confirmation says will happen, and the
 * notification afterwards. Whether an action is offered comes only from the server's `abilities`.
 */
import type { ReactNode } from 'react';
import { roleLabel } from '../../lib/format.js';
import type { Role } from '../../lib/session.js';
import type { MailResult, UserAbilities, UserAction, UserActionResult, UserDetail } from './api.js';

export interface ActionNotice {
  color: 'green' | 'yellow' | 'red';
  title?: string;
  message: string;
}

export interface ActionSpec {
  action: UserAction;
  /** The button on the user's page and the confirm button in the dialog. */
  label: string;
  title: (user: UserDetail) => string;
  describe: (user: UserDetail, role: Role | null) => ReactNode;
  destructive: boolean;
  done: (user: UserDetail, result: UserActionResult | undefined, role: Role | null) => ActionNotice;
}

function mailNotice(mail: MailResult | undefined, sent: string): ActionNotice {
  if (!mail || mail.delivered) return { color: 'green', message: sent };
  return { color: 'red', title: 'The email could not be sent', message: mail.error ?? 'The mail server did not accept the message.' };
}

export const ACTIONS: readonly ActionSpec[] = [
  {
    action: 'changeRole',
    label: 'Change role',
    title: (u) => `Change the role of ${u.displayName}`,
    destructive: false,
    describe: (u, role) =>
      role
        ? `${u.displayName} becomes ${roleLabel(role)} instead of ${roleLabel(u.role)}. What they may do changes at once, also in browsers where they are already signed in.`
        : `Choose the role ${u.displayName} should have instead of ${roleLabel(u.role)}.`,
    done: (u, _result, role) => ({ color: 'green', message: `${u.displayName} is now ${role ? roleLabel(role) : 'in a new role'}` }),
  },
  {
    action: 'resendInvitation',
    label: 'Resend invitation',
    title: (u) => `Resend the invitation to ${u.displayName}?`,
    destructive: false,
    describe: (u) =>
      `A new invitation email goes to ${u.email}. The link in the earlier invitation stops working; the new link works for 7 days.`,
    done: (u, result) => mailNotice(result?.mail, `Invitation sent again to ${u.email}`),
  },
  {
    action: 'sendPasswordReset',
    label: 'Send password reset',
    title: (u) => `Send ${u.displayName} a password reset link?`,
    destructive: false,
    describe: (u) =>
      `An email goes to ${u.email} with a link to choose a new password. The link works for one hour. Their current password keeps working until they choose a new one; then all their sessions end.`,
    done: (u, result) => mailNotice(result?.mail, `Password reset link sent to ${u.email}`),
  },
  {
    action: 'unlock',
    label: 'Unlock',
    title: (u) => `Unlock ${u.displayName}?`,
    destructive: false,
    describe: (u) =>
      `The lock on ${u.displayName}'s account, set after repeated failed sign-ins, is lifted now: they can sign in again straight away instead of waiting for it to expire.`,
    done: (u) => ({ color: 'green', message: `${u.displayName} is unlocked` }),
  },
  {
    action: 'resetTwoFactor',
    label: 'Reset two-factor authentication',
    title: (u) => `Reset the two-factor authentication of ${u.displayName}?`,
    destructive: true,
    describe: (u) =>
      `${u.displayName}'s authenticator app and recovery codes stop working and they are signed out everywhere. They sign in with their password alone and can set up two-factor authentication again (or must, if their role requires it).`,
    done: (u) => ({ color: 'green', message: `Two-factor authentication of ${u.displayName} was reset` }),
  },
  {
    action: 'endSessions',
    label: 'End all sessions',
    title: (u) => `End all sessions of ${u.displayName}?`,
    destructive: true,
    describe: (u) =>
      `${u.displayName} will be signed out of every browser and device at once. Their account stays active: they can sign in again with their password.`,
    done: (u, result) => {
      const ended = result?.ended;
      const what = ended === undefined ? 'All sessions' : ended === 1 ? '1 session' : `${ended} sessions`;
      return { color: 'green', message: `${what} of ${u.displayName} ended` };
    },
  },
  {
    action: 'reactivate',
    label: 'Reactivate',
    title: (u) => `Reactivate ${u.displayName}?`,
    destructive: false,
    describe: (u) =>
      `${u.displayName} will be able to sign in again, with the role ${roleLabel(u.role)}. Sessions that ended when they were deactivated stay ended.`,
    done: (u) => ({ color: 'green', message: `${u.displayName} is active again` }),
  },
  {
    action: 'deactivate',
    label: 'Deactivate',
    title: (u) => `Deactivate ${u.displayName}?`,
    destructive: true,
    describe: (u) =>
      `${u.displayName} will be signed out everywhere at once and will not be able to sign in until reactivated. Pending invitation and password reset links stop working.`,
    done: (u) => ({ color: 'green', message: `${u.displayName} is deactivated` }),
  },
  {
    action: 'revokeInvitation',
    label: 'Revoke invitation',
    title: (u) => `Revoke the invitation to ${u.displayName}?`,
    destructive: true,
    describe: (u) =>
      `The invitation for ${u.email} is withdrawn: its link stops working and ${u.displayName} is deleted from the users list. You can invite them again later.`,
    done: (u) => ({ color: 'green', message: `Invitation for ${u.email} revoked` }),
  },
  {
    action: 'remove',
    label: 'Remove user',
    title: (u) => `Remove ${u.displayName}?`,
    destructive: true,
    describe: (u) =>
      `This cannot be undone. ${u.displayName}'s email and name are replaced by a pseudonym, their sessions, invitation and reset links are deleted, and the personal details kept about them in the audit log and sign-in activity are erased. The audit trail stays, attributed to the pseudonym.`,
    done: (u, result) => ({
      color: 'green',
      message: result?.user ? `${u.displayName} was removed and is now shown as ${result.user.displayName}` : `${u.displayName} was removed`,
    }),
  },
];

export function allowedActions(abilities: UserAbilities): ActionSpec[] {
  return ACTIONS.filter(
    (spec) => abilities[spec.action] === true && (spec.action !== 'changeRole' || abilities.assignableRoles.length > 0),
  );
}
