/**
 * The vault's errors. Their messages name key ids, owners and purposes only: never a plaintext,
 * a ciphertext or key material, so they are safe to log and to show an operator.
 */
import { ConfigError } from '../../config.js';

/**
 * The configured keys do not fit this database. A ConfigError, so start-up and the CLI print its
 * one line and stop without a stack trace.
 */
export class VaultKeyError extends ConfigError {
  override name = 'VaultKeyError';
}

/** Why a ciphertext could not be opened. */
export type DecryptFailure = 'malformed' | 'unknown_key' | 'not_authentic';

const REASONS: Record<DecryptFailure, string> = {
  malformed: 'the stored value is not a vault ciphertext',
  unknown_key: 'it was encrypted under a key that is not configured',
  not_authentic: 'wrong key, or the value was altered or moved from another record',
};

/** A ciphertext that does not decrypt under the ring for the given owner and purpose. */
export class VaultDecryptError extends Error {
  override name = 'VaultDecryptError';
  constructor(
    readonly reason: DecryptFailure,
    what = 'secret',
  ) {
    super(`cannot decrypt ${what}: ${REASONS[reason]}`);
  }
}

/** No secret stored for the owner and purpose (never stored, or erased when the connection ended). */
export class VaultSecretMissingError extends Error {
  override name = 'VaultSecretMissingError';
}
