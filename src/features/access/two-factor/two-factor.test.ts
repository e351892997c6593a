/** The pure parts of 2FA: the TOTP window, recovery code format, the policy rule, the step-up list. */
import { describe, expect, it } from 'vitest';
import { requirementFor } from './policy.js';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes.js';
import { needsStepUp, recentlyProved, STEP_UP_MS } from './step-up.js';
import { stageAllows } from './session-stage.js';
import { matchingStep, newTotpSecret, STEP_MS, totpCodeAt } from './totp.js';

const at = new Date('2026-06-01T09:00:10Z');
const step = Math.floor(at.getTime() / STEP_MS);

describe('totp', () => {
  it('accepts the current code and one step of drift either side, and names the step', () => {
    const secret = newTotpSecret();
    expect(matchingStep(secret, totpCodeAt(secret, at), at)).toBe(step);
    expect(matchingStep(secret, totpCodeAt(secret, new Date(at.getTime() - STEP_MS)), at)).toBe(step - 1);
    expect(matchingStep(secret, totpCodeAt(secret, new Date(at.getTime() + STEP_MS)), at)).toBe(step + 1);
    expect(matchingStep(secret, totpCodeAt(secret, new Date(at.getTime() - 3 * STEP_MS)), at)).toBeNull();
    expect(matchingStep(secret, ' ' + totpCodeAt(secret, at).replace(/(\d{3})/, '$1 '), at)).toBe(step);
    expect(matchingStep(secret, 'abcdef', at)).toBeNull();
    expect(matchingStep(newTotpSecret(), totpCodeAt(secret, at), at)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('are ten distinct 16-character codes, typed in any case with or without dashes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const c = codes[0]!;
    expect(hashRecoveryCode(c.toUpperCase().replace(/-/g, ' '))).toBe(hashRecoveryCode(c));
    expect(normaliseRecoveryCode('123456')).toBeNull();
  });
});

describe('policy', () => {
  const since = new Date('2026-06-01T00:00:00Z');
  const row = { role: 'admin' as const, required: true, graceDays: 7, requiredSince: since, updatedAt: since, updatedBy: null };
  it('requires nothing without a row or when off', () => {
    expect(requirementFor(undefined, false, at)).toEqual({ required: false, graceEndsAt: null, enforced: false });
    expect(requirementFor({ ...row, required: false, requiredSince: null }, false, at).required).toBe(false);
  });
  it('enforces only after the grace period, and never on the enrolled', () => {
    const end = new Date(since.getTime() + 7 * 24 * 3600_000);
    expect(requirementFor(row, false, at)).toEqual({ required: true, graceEndsAt: end, enforced: false });
    expect(requirementFor(row, false, end).enforced).toBe(true);
    expect(requirementFor(row, true, end).enforced).toBe(false);
    expect(requirementFor({ ...row, graceDays: 0 }, false, since).enforced).toBe(true);
  });
});

describe('step-up and stages', () => {
  it('lists sensitive routes by method and registered url', () => {
    expect(needsStepUp('POST', '/api/v1/onboarding/:id/disconnect')).toBe(true);
    expect(needsStepUp('GET', '/api/v1/onboarding/:id')).toBe(false);
    expect(needsStepUp('POST', undefined)).toBe(false);
    expect(recentlyProved(new Date(at.getTime() - STEP_UP_MS), at, STEP_UP_MS)).toBe(true);
    expect(recentlyProved(new Date(at.getTime() - STEP_UP_MS - 1), at, STEP_UP_MS)).toBe(false);
    expect(recentlyProved(null, at, STEP_UP_MS)).toBe(false);
  });
  it('lets a pending session reach only its own step', () => {
    expect(stageAllows('full', 'GET', '/api/v1/users')).toBe(true);
    expect(stageAllows('second_factor', 'POST', '/api/v1/auth/second-factor')).toBe(true);
    expect(stageAllows('second_factor', 'GET', '/api/v1/me')).toBe(false);
    expect(stageAllows('second_factor', 'POST', '/api/v1/me/two-factor/enrolment')).toBe(false);
    expect(stageAllows('enrol', 'POST', '/api/v1/me/two-factor/enrolment/confirm')).toBe(true);
    expect(stageAllows('enrol', 'GET', '/api/v1/users')).toBe(false);
    expect(stageAllows('something else', 'GET', '/api/v1/me/two-factor')).toBe(false);
  });
});
