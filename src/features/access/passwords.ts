/**
 * Password hashing (argon2id at OWASP's parameters, fixed so benchmarks compare like with like)
 * and the password rules. Unknown emails still run one verify against a dummy hash, so a sign-in
 * costs the same whether or not the account exists; `verifyCount` lets tests check that structurally.
 */
import { readFileSync } from 'node:fs';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// 2 = Algorithm.Argon2id (a const enum, which isolated modules cannot read).
export const ARGON2_OPTIONS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

let commonPasswords: Set<string> | undefined;
let dummyHash: string | undefined;
let verifies = 0;

// Shipped with the project (the 30,000 most common passwords of zxcvbn's MIT-licensed list), read once on first use.
function common(): Set<string> {
  commonPasswords ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0),
  );
  return commonPasswords;
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  if (common().has(password.toLowerCase())) return 'is too common; choose another';
  if (/^(.)\1+$/u.test(password)) return 'must not repeat one character';
  return null;
}

/** argon2id hash of a password. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** Verifies a password against a stored hash; with no hash, verifies against a dummy so timing matches. */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  verifies++;
  if (storedHash === null) {
    dummyHash ??= await hash('dummy-password-for-unknown-accounts', ARGON2_OPTIONS);
    await verify(dummyHash, password);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** Number of argon2 verifications run by this process (tests of the enumeration defence). */
export function verifyCount(): number {
  return verifies;
}

/** Pre-computes the dummy hash so the first unknown-email sign-in costs no more than the others. */
export async function warmPasswords(): Promise<void> {
  dummyHash ??= await hash('dummy-password-for-unknown-accounts', ARGON2_OPTIONS);
  common();
}
