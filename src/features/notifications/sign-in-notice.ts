/**
 * The "new sign-in" security notice: a sign-in from a browser without this account's device cookie,
 * or from another address than the last sign-in, is news to the user (never their very first
 * sign-in). Called by the password sign-in and by the second-factor step that completes one.
 */
import type { Executor } from '../../db/client.js';
import { messages } from './messages.js';
import { notify } from './notify.js';

/** `user` as it was before this sign-in was stamped on it. */
export async function noticeNewSignIn(
  ex: Executor,
  user: { id: string; lastSignInAt: Date | null; lastSignInIp: string | null },
  knownDevice: boolean,
  ip: string | null,
  now: Date,
): Promise<void> {
  if (user.lastSignInAt === null) return;
  const what = !knownDevice ? 'device' : user.lastSignInIp !== null && ip !== null && user.lastSignInIp !== ip ? 'address' : null;
  if (what) await notify(ex, now, messages.signIn(user.id, now, what));
}
