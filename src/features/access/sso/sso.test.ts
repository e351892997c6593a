/** The pure rules of single sign-on: allowed domains, where to land afterwards, what counts as MFA, plain http only on loopback. */
import { describe, expect, it } from 'vitest';
import { insecureAllowed, providerUsedMfa } from './oidc-client.js';
import { domainAllowed, safeReturnTo } from './sso.service.js';

describe('single sign-on rules', () => {
  it('allows exactly the listed email domains, case-insensitively, and not their look-alikes', () => {
    expect(domainAllowed('a@Example.test', ['example.test'])).toBe(true);
    expect(domainAllowed('a@sub.example.test', ['example.test'])).toBe(false);
    expect(domainAllowed('a@example.test.evil.test', ['example.test'])).toBe(false);
    expect(domainAllowed('a@evilexample.test', ['example.test'])).toBe(false);
    expect(domainAllowed('a@b@example.test', ['example.test'])).toBe(true);
    expect(domainAllowed('@example.test', ['example.test'])).toBe(false);
    expect(domainAllowed('a@example.test', [])).toBe(false);
  });

  it('lands only on same-site paths after sign-in', () => {
    expect(safeReturnTo('/users?x=1')).toBe('/users?x=1');
    for (const bad of [null, '', 'https://evil.test/', '//evil.test/x', '/\\evil.test', 'users', '/a\r\nSet-Cookie: x=1', `/${'a'.repeat(600)}`]) expect(safeReturnTo(bad)).toBe('/');
  });

  it('treats mfa and second-factor methods as MFA, a password alone as not', () => {
    expect(providerUsedMfa(['pwd', 'mfa'])).toBe(true);
    expect(providerUsedMfa(['pwd', 'otp'])).toBe(true);
    expect(providerUsedMfa(['hwk'])).toBe(true);
    expect(providerUsedMfa(['pwd'])).toBe(false);
    expect(providerUsedMfa([])).toBe(false);
  });

  it('accepts plain http issuers on loopback only', () => {
    expect(insecureAllowed(new URL('http://127.0.0.1:8080'))).toBe(true);
    expect(insecureAllowed(new URL('http://localhost:8080/realms/x'))).toBe(true);
    expect(insecureAllowed(new URL('http://idp.example.com'))).toBe(false);
    expect(insecureAllowed(new URL('http://127.0.0.1.nip.io'))).toBe(false);
    expect(insecureAllowed(new URL('https://idp.example.com'))).toBe(false);
  });
});
