/**
 * The simulated Meta: its world, the codes Embedded Signup would hand out, the business tokens they
 * exchange for, and the admin hooks tests and the sandbox use (mint, revoke, latency, faults).
 * HTTP lives in the route files; this class holds the rules.
 */
import { randomBytes } from 'node:crypto';
import { takeMatchingFault, type Fault, type FaultInput } from './faults.js';
import { graphErrors, rateLimitError, REVOKE_SUBCODES, type SimGraphError } from './graph-errors.js';
import { DAY_S, randomDigits, resolveSimulatorOptions } from './options.js';
import { SIM_SCENARIOS, type ResolvedSimulatorOptions, type RevokeReason, type SimScenario, type SimulatorOptions, type SimWorld } from './types.js';
import { seedWorld, summariseWorld, wabasOf, type WorldSummary } from './world.js';

/** What POST /sandbox/meta/codes takes: the assets the customer "picked" in the dialog. */
export interface MintCodeInput {
  businessId: string;
  wabaId: string;
  phoneNumberId?: string;
  scenario?: SimScenario | readonly SimScenario[];
  /** the redirect_uri the dialog ran with; omitted for the popup flow (Meta's ES default) */
  redirectUri?: string;
  /** the app-scoped id of the person who logged in (the deauthorize callback names it) */
  userId?: string;
}

/** A business token the simulator issued. */
export interface IssuedToken {
  value: string;
  businessId: string;
  wabaId: string;
  phoneNumberId: string | null;
  /** WABAs the grant covers, newest onboarded first (what debug_token target_ids show) */
  coveredWabaIds: string[];
  scenarios: ReadonlySet<SimScenario>;
  issuedAt: Date;
  expiresAt: Date | null;
  dataAccessExpiresAt: Date | null;
  userId: string;
  systemUserId: string;
  revokedSubcode: number | null;
  rateLimitLeft: number;
  serverErrorsLeft: number;
}

/** Bad input to an admin hook (maps to a 400 in the sandbox routes). */
export class SimulatorInputError extends Error {
  override name = 'SimulatorInputError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

interface CodeRecord {
  input: Required<Pick<MintCodeInput, 'businessId' | 'wabaId'>> & { phoneNumberId: string | null; redirectUri: string | null; userId: string };
  scenarios: ReadonlySet<SimScenario>;
  expiresAt: Date;
  usedAt: Date | null;
}

/** The simulator's state and rules. Create with createMetaSimulator. */
export class MetaSimulator {
  readonly options: ResolvedSimulatorOptions;
  readonly world: SimWorld = seedWorld();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly systemUsers = new Map<string, string>();
  private faults: Fault[] = [];
  private latency: number;

  constructor(opts: SimulatorOptions) {
    this.options = resolveSimulatorOptions(opts);
    this.latency = this.options.latencyMs;
  }

  /** The simulator's current time. */
  now(): Date {
    return this.options.now();
  }

  /** Creates a single-use code for the chosen assets, valid for codeTtlMs (30 s). */
  mintCode(input: MintCodeInput): { code: string; expiresAt: Date } {
    const biz = this.world.businesses.get(input.businessId);
    if (!biz) throw new SimulatorInputError('businessId', 'no such business in the simulator');
    const waba = this.world.wabas.get(input.wabaId);
    if (!waba || waba.businessId !== biz.id) throw new SimulatorInputError('wabaId', 'no such WABA in that business');
    if (input.phoneNumberId !== undefined && this.world.phoneNumbers.get(input.phoneNumberId)?.wabaId !== waba.id) {
      throw new SimulatorInputError('phoneNumberId', 'no such phone number in that WABA');
    }
    const list = input.scenario === undefined ? [] : typeof input.scenario === 'string' ? [input.scenario] : input.scenario;
    for (const s of list) if (!SIM_SCENARIOS.includes(s)) throw new SimulatorInputError('scenario', `unknown scenario ${String(s)}`);
    const code = `AQ${randomBytes(96).toString('base64url')}`;
    const expiresAt = new Date(this.now().getTime() + this.options.codeTtlMs);
    this.codes.set(code, {
      input: {
        businessId: biz.id,
        wabaId: waba.id,
        phoneNumberId: input.phoneNumberId ?? null,
        redirectUri: input.redirectUri ?? null,
        userId: input.userId ?? randomDigits(16),
      },
      scenarios: new Set(list),
      expiresAt,
      usedAt: null,
    });
    return { code, expiresAt };
  }

  /** Scenarios attached to a code, for latency before the exchange is judged (empty when unknown). */
  scenariosOfCode(code: string | undefined): ReadonlySet<SimScenario> {
    return (code && this.codes.get(code)?.scenarios) || new Set();
  }

  /** GET /oauth/access_token: checks the app, then the code, and issues a business token. */
  exchangeCode(p: { clientId?: string; clientSecret?: string; code?: string; redirectUri?: string }): IssuedToken {
    const u = this.options.unconfirmed;
    if (!p.clientId) throw graphErrors.missingParam('client_id');
    if (p.clientId !== this.options.appId) throw graphErrors.badClientId(u.badClientIdCode);
    if (!p.clientSecret || p.clientSecret !== this.options.appSecret) throw graphErrors.badSecret(u.badSecretCode);
    if (!p.code) throw graphErrors.missingParam('code');
    const rec = this.codes.get(p.code);
    if (!rec) throw graphErrors.invalidCode();
    if (rec.usedAt) throw graphErrors.codeUsed();
    const now = this.now();
    const fail = (e: SimGraphError) => {
      if (u.consumeCodeOnFailedExchange) rec.usedAt = now;
      return e;
    };
    if (now.getTime() >= rec.expiresAt.getTime()) throw fail(graphErrors.codeExpired());
    const minted = rec.input.redirectUri;
    const sentMismatch = p.redirectUri !== undefined && p.redirectUri !== minted;
    const omittedRequired = p.redirectUri === undefined && minted !== null && u.redirectUriRequiredWhenMinted;
    if (sentMismatch || omittedRequired) throw fail(graphErrors.redirectMismatch());
    rec.usedAt = now;
    return this.issueToken(rec, now);
  }

  private issueToken(rec: CodeRecord, now: Date): IssuedToken {
    const s = rec.scenarios;
    const ttl = s.has('token_expires_in_3_days') ? 3 * DAY_S : this.options.tokenTtlSeconds;
    const covered = s.has('token_without_waba_in_scopes') ? this.decoyWabas(rec.input.businessId, rec.input.wabaId) : [rec.input.wabaId];
    const token: IssuedToken = {
      value: `EAA${randomBytes(90).toString('base64url').replace(/[-_]/g, '')}`,
      businessId: rec.input.businessId,
      wabaId: rec.input.wabaId,
      phoneNumberId: rec.input.phoneNumberId,
      coveredWabaIds: covered,
      scenarios: s,
      issuedAt: now,
      expiresAt: ttl === null ? null : new Date(now.getTime() + ttl * 1000),
      dataAccessExpiresAt: ttl === null ? null : new Date(now.getTime() + 90 * DAY_S * 1000),
      userId: rec.input.userId,
      systemUserId: this.systemUserOf(rec.input.businessId),
      revokedSubcode: null,
      rateLimitLeft: s.has('rate_limited_then_success') ? this.options.rateLimitTimes : 0,
      serverErrorsLeft: s.has('server_error_5xx') ? this.options.serverErrorTimes : 0,
    };
    this.tokens.set(token.value, token);
    this.options.logger?.info({ simulator: { businessId: token.businessId, wabaId: token.wabaId } }, 'simulator issued a business token');
    return token;
  }

  /** Other WABAs of the business, or a made-up earlier grant: anything but the onboarded one. */
  private decoyWabas(businessId: string, wabaId: string): string[] {
    const others = wabasOf(this.world, businessId).map((w) => w.id).filter((id) => id !== wabaId);
    return others.length > 0 ? others : ['100000000000001'];
  }

  private systemUserOf(businessId: string): string {
    let id = this.systemUsers.get(businessId);
    if (!id) this.systemUsers.set(businessId, (id = randomDigits(15)));
    return id;
  }

  /** The issued token for a value, without judging it (debug_token reports on bad tokens too). */
  findToken(value: string): IssuedToken | undefined {
    return this.tokens.get(value);
  }

  /** Why a token no longer works (expired or revoked), or null while it is valid. */
  tokenProblem(t: IssuedToken): SimGraphError | null {
    if (t.revokedSubcode !== null) return graphErrors.tokenRevoked(t.revokedSubcode);
    const now = this.now();
    if (t.expiresAt && now.getTime() >= t.expiresAt.getTime()) return graphErrors.tokenExpired(t.expiresAt, now);
    return null;
  }

  /** The valid business token a call presents, or the 104/190 error Meta would answer. */
  authenticate(value: string | undefined): IssuedToken {
    if (!value) throw graphErrors.noToken();
    const t = this.tokens.get(value);
    if (!t) throw graphErrors.tokenUnparseable();
    const problem = this.tokenProblem(t);
    if (problem) throw problem;
    return t;
  }

  /** Whether `value` is this app's app token (APP_ID|APP_SECRET); throws for another secret. */
  isAppToken(value: string): boolean {
    const bar = value.indexOf('|');
    if (bar < 0 || value.slice(0, bar) !== this.options.appId) return false;
    if (value.slice(bar + 1) !== this.options.appSecret) throw graphErrors.badAppToken();
    return true;
  }

  /** Whether a token's grant reaches a WABA. */
  covers(t: IssuedToken, wabaId: string): boolean {
    return t.coveredWabaIds.includes(wabaId);
  }

  /** Admin hook: revokes matching tokens (e.g. to stage a deauthorization); returns how many. */
  revokeTokens(filter: { token?: string; wabaId?: string; businessId?: string; userId?: string }, reason: RevokeReason = 'app_removed'): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      const match =
        (filter.token === undefined || t.value === filter.token) &&
        (filter.wabaId === undefined || t.wabaId === filter.wabaId) &&
        (filter.businessId === undefined || t.businessId === filter.businessId) &&
        (filter.userId === undefined || t.userId === filter.userId);
      if (match && t.revokedSubcode === null) {
        t.revokedSubcode = REVOKE_SUBCODES[reason];
        n++;
      }
    }
    return n;
  }

  /** Admin hook: latency added to every call from now on. */
  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  /** The delay to apply to a call made under these scenarios. */
  latencyFor(scenarios: ReadonlySet<SimScenario>): number {
    return this.latency + (scenarios.has('slow') ? this.options.slowLatencyMs : 0);
  }

  /** Admin hook: fail the next matching call(s) with a Graph error. */
  injectFault(f: FaultInput): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  /** Admin hook: forget every injected fault. */
  clearFaults(): void {
    this.faults = [];
  }

  /** The injected fault for this call, if any (consumes one use). */
  takeFault(method: string, path: string): SimGraphError | null {
    const { fault, rest } = takeMatchingFault(this.faults, method, path, this.options.rateLimitRegainMinutes);
    this.faults = rest;
    return fault;
  }

  /** The scenario fault a token's asset call hits, if any (rate limit first, then 5xx). */
  takeTokenFault(t: IssuedToken, wabaId: string | null): SimGraphError | null {
    if (t.rateLimitLeft > 0) {
      t.rateLimitLeft--;
      return rateLimitError(this.options.rateLimitCode, wabaId ?? t.wabaId, this.options.rateLimitRegainMinutes);
    }
    if (t.serverErrorsLeft > 0) {
      t.serverErrorsLeft--;
      return graphErrors.serverError();
    }
    return null;
  }

  /** What the sandbox dialog offers: businesses, WABAs, numbers, and the scenario names. */
  describeWorld(): WorldSummary & { scenarios: readonly SimScenario[] } {
    return { ...summariseWorld(this.world), scenarios: SIM_SCENARIOS };
  }
}
