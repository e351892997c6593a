/**
 * The HMAC that signs an anchor. The MAC key is derived (HKDF, as the key ring derives its
 * sub-keys) from the key-ring key named by the anchor's key_id, so anchors signed before a key
 * rotation still verify while the old key stays in ENCRYPTION_KEYS.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Key, KeyRing } from '../../vault/keyring.js';
import { safeEqual } from '../../../lib/tokens.js';

export type AnchorReason = 'scheduled' | 'purge' | 'manual';

export interface AnchorFields {
  position: number;
  headHash: string;
  at: Date;
  reason: AnchorReason | string;
  purgedBelow: number | null;
}

function macKey(key: Key): Buffer {
  return Buffer.from(hkdfSync('sha256', key.key, Buffer.alloc(0), 'crm:audit-anchor', 32));
}

/** The signed text: every field of the anchor, fixed order. */
export function anchorMessage(a: AnchorFields): string {
  return ['crm.audit.anchor.v1', String(a.position), a.headHash, a.at.toISOString(), a.reason, a.purgedBelow === null ? '' : String(a.purgedBelow)].join('\n');
}

/** Signs with the key ring's current key. */
export function signAnchor(keyring: KeyRing, a: AnchorFields): { keyId: string; mac: string } {
  const key = keyring.current;
  return { keyId: key.id, mac: createHmac('sha256', macKey(key)).update(anchorMessage(a)).digest('hex') };
}

/** 'ok', or why not: the key is no longer in the ring, or the MAC does not match. */
export function checkAnchorMac(keyring: KeyRing, a: AnchorFields & { keyId: string; mac: string }): 'ok' | 'unknown_key' | 'bad_mac' {
  const key = keyring.all.find((k) => k.id === a.keyId);
  if (!key) return 'unknown_key';
  const expected = createHmac('sha256', macKey(key)).update(anchorMessage(a)).digest('hex');
  return safeEqual(expected, a.mac) ? 'ok' : 'bad_mac';
}
