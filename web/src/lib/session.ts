import { createContext, useContext } from 'react';
import { queryOptions } from '@tanstack/react-query';
import { api, isApiError } from './api.js';

export type Role = 'owner' | 'admin' | 'operator' | 'viewer';
export type UserStatus = 'invited' | 'active' | 'deactivated' | 'removed';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  status: UserStatus;
  createdAt: string;
  lastSignInAt: string | null;
  lastSignInIp: string | null;
}

export interface Me {
  user: User;
  abilities: string[];
  /**
   * `outbox`: the development mail outbox is in use (PUBLIC_URL is http and SMTP_URL unset).
   * `sandbox`: Meta is simulated (META_APP_ID unset); every page says so.
   * `embeddedSignup`: whether the settings Embedded Signup needs are set, and which are `missing`.
   */
  environment?: { outbox: boolean; sandbox?: boolean; embeddedSignup?: { ready: boolean; missing: string[] } };
}

export const meQueryKey = ['me'] as const;

/** `GET /me`; `null` means signed out (401). */
export async function fetchMe(): Promise<Me | null> {
  try {
    return await api.get<Me>('/me');
  } catch (error) {
    if (isApiError(error, 401)) return null;
    throw error;
  }
}

export const meQuery = queryOptions({
  queryKey: meQueryKey,
  queryFn: fetchMe,
  staleTime: 60_000,
});

export interface Session extends Me {
  can: (ability: string) => boolean;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in user; only inside the auth gate. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() used outside the signed-in area');
  return session;
}

/**
 * Set when the user signs out on purpose, so the sign-in page does not offer to return to the page
 * they left. Cleared by the next successful sign-in.
 */
let signedOutOnPurpose = false;
export function markSignedOutOnPurpose(value: boolean): void {
  signedOutOnPurpose = value;
}
export function wasSignedOutOnPurpose(): boolean {
  return signedOutOnPurpose;
}

/**
 * Set when the server answered 401 to a signed-in page (the session expired, was ended elsewhere, or
 * the account was deactivated), so the sign-in page can say why the user is there. Cleared by the
 * next successful sign-in.
 */
let sessionEnded = false;
export function markSessionEnded(value: boolean): void {
  sessionEnded = value;
}
export function didSessionEnd(): boolean {
  return sessionEnded;
}
