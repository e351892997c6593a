/**
 * The users list (GET /api/v1/users) over real HTTP as a signed-in admin, against 100,000 users
 * seeded in one INSERT ... SELECT generate_series (varied names, emails, roles, statuses, sign-ins),
 * then VACUUM (ANALYZE). Three kinds of request, interleaved round-robin with GET /healthz:
 *  - first page:  ?sort=name&limit=50
 *  - deep page:   ?sort=name&limit=50&cursor=C, where C is the cursor reached by walking 1,000 pages
 *                 once over HTTP (checked against the row the same ORDER BY puts at that offset);
 *  - search:      ?q=TERM&limit=50, TERM cycling through a few substrings matching ~100 users each.
 * value = the largest of the three p95s; baseline = p95 of GET /healthz on the same client (the floor
 * of an HTTP round trip). Afterwards the exact SQL the repo runs for each kind (captured through a
 * logging drizzle instance calling listUsers itself) is run under EXPLAIN (ANALYZE, BUFFERS) and the
 * plans go to stderr, with the indexes each plan uses in the result.
 *
 * The search plan depends on ANALYZE's random sample: when the estimate for a term comes out high
 * enough, PostgreSQL walks users_name_sort_idx filtering row by row instead of using the trigram
 * indexes, and that term costs tens of ms. search_plan lists every plan seen (one per term), and
 * stderr has each term's latency and plan, so a run that fails the goal shows which term flipped.
 */
import http from 'node:http';
import os from 'node:os';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import * as schema from '../../src/db/schema.js';
import { hashPassword } from '../../src/features/access/passwords.js';
import { listUsers, type UserListFilter } from '../../src/features/access/users-admin.repo.js';
import { decodeCursor, encodeCursor } from '../../src/http/cursor.js';
import { insertUser } from '../../src/features/access/users.repo.js';
import type { Runtime } from '../../src/runtime.js';
import { withBenchApp } from '../lib/app.js';
import { request } from '../lib/http.js';
import { median, note, quantile, round } from '../lib/stats.js';
import type { Benchmark, Result } from '../lib/types.js';

const USERS = 100_000; // in total, the admin included
const SAMPLES = 200;
const WARMUP = 20;
const LIMIT = 50;
const DEEP_PAGES = 1_000;
const GOAL_MS = 20;
const EMAIL = 'bench.admin@example.test';
const PASSWORD = 'bench correct horse battery 42';
/** Company stems (email domains) the searches use; each domain holds ~100 users (see seed). */
const SEARCH_STEMS = ['northwind', 'bluepeak', 'ironforge', 'silverline'];
/** Mixed-case fragments of rare surnames (~100 users each, by name and by email local part). */
const SEARCH_NAME_TERMS = ['Oyel', 'wojciech'];

const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Lisa', 'Daniel', 'Nancy',
  'Matthew', 'Sandra', 'Anthony', 'Ashley', 'Mark', 'Emily', 'Olivia', 'Liam', 'Noah', 'Emma', 'Ava', 'Sophia', 'Mia',
  'Lucas', 'Mateo', 'Hugo', 'Léa', 'Chloé', 'Zoë', 'José', 'María', 'Sofía', 'Jürgen', 'Søren', 'Björn', 'Anaïs', 'François',
  'Hélène', 'Ngozi', 'Chinedu', 'Aisha', 'Fatima', 'Mohammed', 'Omar', 'Yusuf', 'Priya', 'Arjun', 'Ananya', 'Rahul', 'Wei',
  'Mei', 'Hiroshi', 'Yuki', 'Min-jun', 'Ji-woo', 'Thanh', 'Linh', 'Olga', 'Dmitri', 'Katarzyna', 'Piotr', 'Ioana', 'Giulia',
  'Alessandro', 'Lars', 'Ingrid', 'Siobhan', 'Seán', 'Aoife', 'Kwame', 'Ama', 'Tendai', 'Lerato', 'Diego', 'Camila', 'Valentina',
  'Joaquín', 'Renée', 'Zeynep', 'Emre', 'Leila', 'Dariusz', 'Nikolai', 'Freya', 'Astrid', 'Kai',
];
/** Ordered from common to rare: the seed picks them with a skew towards the front (98% of users). */
const COMMON_LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
  'Gonzalez', 'Wilson', 'Anderson', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Nguyen', 'Kim', 'Patel', 'Singh', 'Müller',
  'Schmidt', 'Dubois', 'Rossi', 'Russo', 'Kowalski', 'Nowak', 'Ivanova', 'Petrov', 'Hansen', 'Johansson', 'Nielsen', "O'Brien",
  'Murphy', 'Kelly', 'van der Berg', 'de Vries', 'García López', 'Fernández', 'Silva', 'Santos', 'Costa', 'Pereira', 'Yamamoto',
  'Tanaka', 'Suzuki', 'Chen', 'Wang', 'Zhang', 'Liu', 'Park', 'Choi', 'Tran', 'Pham', 'Okafor', 'Adeyemi', 'Mensah', 'Mwangi',
  'Haddad', 'Khalil', 'Yilmaz', 'Kaya',
];
/** The long tail: 2% of users spread evenly, ~100 per name. */
const RARE_LAST_NAMES = [
  'Oyelaran', 'Featherstonehaugh', 'Quintanilla', 'Zwicky', 'Vasquez-Ortiz', 'Abernathy', 'Łukasik', 'Ní Bhriain', 'Papadopoulos',
  'Virtanen', 'Horváth', 'Novák', 'Sørensen', 'Okonkwo', 'Thorsdóttir', 'Delacroix', 'Wojciechowski', 'Achterberg', 'Bergström',
  'Castellanos',
];
const LAST_NAMES = [...COMMON_LAST_NAMES, ...RARE_LAST_NAMES];
const FREE_MAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com', 'gmx.de'];
const COMPANY_A = ['north', 'blue', 'iron', 'silver', 'green', 'red', 'sun', 'star', 'oak', 'pine', 'river', 'stone', 'cloud', 'bright', 'swift', 'atlas'];
const COMPANY_B = ['wind', 'peak', 'forge', 'line', 'field', 'works', 'labs', 'bridge', 'gate', 'point', 'hub', 'mark', 'wave', 'path', 'core', 'nest'];
const TLDS = ['com', 'io', 'co.uk', 'de', 'fr', 'net', 'com.br'];

/** Lower-case ASCII for email local parts ("Zoë" -> "zoe", "O'Brien" -> "obrien"). */
const slug = (s: string): string =>
  s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ø/gi, 'o').replace(/ł/gi, 'l').toLowerCase().replace(/[^a-z]/g, '');

/** 256 company domains, e.g. northwind.com, bluepeak.io. */
const COMPANIES = COMPANY_A.flatMap((a, i) => COMPANY_B.map((b, j) => `${a}${b}.${TLDS[(i + j) % TLDS.length]}`));

/**
 * One statement: USERS-1 rows from generate_series, every random choice a deterministic hash of the
 * row number (hashint8extended with a per-column seed). Surnames skewed (98% over a common list,
 * 2% evenly over a rare tail), first names uniform. ~75% of emails at free-mail domains, the
 * rest spread evenly over the 256 company domains (~100 users each). Statuses 80% active, 8%
 * invited, 10% deactivated, 2% removed (pseudonymised like the app does); roles mostly viewer /
 * operator; ~70% of active or deactivated users have signed in at some point.
 */
const SEED_SQL = `
WITH g AS (
  SELECT i,
    (hashint8extended(i, 1) & 9007199254740991)::float8 / 9007199254740992 AS r_first,
    (hashint8extended(i, 2) & 9007199254740991)::float8 / 9007199254740992 AS r_last,
    (hashint8extended(i, 3) & 9007199254740991)::float8 / 9007199254740992 AS r_dom,
    (hashint8extended(i, 4) & 9007199254740991)::float8 / 9007199254740992 AS r_role,
    (hashint8extended(i, 5) & 9007199254740991)::float8 / 9007199254740992 AS r_status,
    (hashint8extended(i, 6) & 9007199254740991)::float8 / 9007199254740992 AS r_created,
    (hashint8extended(i, 7) & 9007199254740991)::float8 / 9007199254740992 AS r_signin,
    (hashint8extended(i, 8) & 9007199254740991)::float8 / 9007199254740992 AS r_fmt
  FROM generate_series(1, $1::int) AS i
), p AS (
  SELECT i, r_signin, r_fmt,
    1 + floor(r_first * cardinality($2::text[]))::int AS fi,
    CASE WHEN r_last < 0.98 THEN 1 + floor(power(r_last / 0.98, 2.5) * $9::int)::int
         ELSE $9::int + 1 + floor((r_last - 0.98) / 0.02 * (cardinality($4::text[]) - $9::int))::int END AS li,
    CASE WHEN r_dom < 0.75 THEN ($6::text[])[1 + floor(r_dom / 0.75 * cardinality($6::text[]))::int]
         ELSE ($7::text[])[1 + floor((r_dom - 0.75) / 0.25 * cardinality($7::text[]))::int] END AS dom,
    CASE WHEN r_role < 0.0005 THEN 'owner' WHEN r_role < 0.02 THEN 'admin' WHEN r_role < 0.45 THEN 'operator' ELSE 'viewer' END::user_role AS role,
    CASE WHEN r_status < 0.80 THEN 'active' WHEN r_status < 0.88 THEN 'invited' WHEN r_status < 0.98 THEN 'deactivated' ELSE 'removed' END::user_status AS status,
    now() - r_created * interval '1095 days' AS created_at
  FROM g
), n AS (
  SELECT p.*, ($2::text[])[fi] AS first, ($3::text[])[fi] AS fs, ($4::text[])[li] AS last, ($5::text[])[li] AS ls FROM p
)
INSERT INTO users (email, display_name, role, status, password_hash, created_at, updated_at, last_sign_in_at, last_sign_in_ip)
SELECT
  CASE WHEN status = 'removed' THEN 'removed-user-' || substr(md5(i::text), 1, 12)
       ELSE CASE WHEN r_fmt < 0.4 THEN fs || '.' || ls || i
                 WHEN r_fmt < 0.7 THEN left(fs, 1) || ls || i
                 WHEN r_fmt < 0.85 THEN fs || '_' || i
                 ELSE ls || '.' || fs || i END || '@' || dom END,
  CASE WHEN status = 'removed' THEN 'removed-user-' || substr(md5(i::text), 1, 12) ELSE first || ' ' || last END,
  role,
  status,
  CASE WHEN status IN ('active', 'deactivated') THEN $8::text END,
  created_at,
  created_at,
  CASE WHEN status IN ('active', 'deactivated') AND r_signin < 0.7 THEN created_at + (now() - created_at) * (r_signin / 0.7) END,
  CASE WHEN status IN ('active', 'deactivated') AND r_signin < 0.7 THEN '10.' || (i % 250) || '.' || (i / 250 % 250) || '.' || (i % 7 + 1) END
FROM n`;

/** Invited users get their (mostly expired) invitation link, so the list's expiry lookup has rows to find. */
const SEED_INVITATIONS_SQL = `
INSERT INTO invitations (user_id, token_hash, created_at, expires_at, mail_sent_at)
SELECT id, encode(sha256(convert_to(id::text, 'UTF8')), 'hex'), created_at, created_at + interval '7 days', created_at
FROM users WHERE status = 'invited'`;

const benchmark: Benchmark = {
  name: 'users-list',
  async run(): Promise<Result> {
    let seedSeconds = 0;
    const seedAll = async (rt: Runtime) => {
      const passwordHash = await hashPassword(PASSWORD);
      await insertUser(rt.database.db, { email: EMAIL, displayName: 'Bench Admin', role: 'admin', status: 'active', passwordHash, at: new Date() });
      seedSeconds = await seed(rt.database.pool, passwordHash);
    };
    return withBenchApp('users-list', { seed: seedAll }, ({ port, config, rt, env }) => measure(port, config.publicUrl.origin, rt.database.pool, env.mode, seedSeconds));
  },
};
export default benchmark;

/** Seeds USERS-1 users (plus invitations) and settles the table; returns the seconds it took. */
async function seed(pool: pg.Pool, passwordHash: string): Promise<number> {
  note(`users-list: seeding ${USERS - 1} users`);
  const t0 = performance.now();
  await pool.query(SEED_SQL, [USERS - 1, FIRST_NAMES, FIRST_NAMES.map(slug), LAST_NAMES, LAST_NAMES.map(slug), FREE_MAIL, COMPANIES, passwordHash, COMMON_LAST_NAMES.length]);
  await pool.query(SEED_INVITATIONS_SQL);
  // VACUUM as well as ANALYZE: flushes the GIN pending lists and sets hint bits / the visibility map,
  // the steady state autovacuum would reach, so the first measured reads do not pay for the bulk load.
  await pool.query('VACUUM (ANALYZE) users');
  await pool.query('VACUUM (ANALYZE) invitations');
  const seconds = (performance.now() - t0) / 1000;
  const { rows } = await pool.query<{ status: string; n: number }>('SELECT status::text, count(*)::int AS n FROM users GROUP BY 1 ORDER BY 1');
  note(`users-list: seeded in ${seconds.toFixed(1)} s: ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}`);
  return seconds;
}

interface Page {
  items: { id: string; email: string; displayName: string }[];
  nextCursor: string | null;
}

async function measure(port: number, origin: string, pool: pg.Pool, mode: string, seedSeconds: number): Promise<Result> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const cookie = await signIn(port, origin, agent);
    const headers = { cookie, accept: 'application/json', 'user-agent': 'crm-bench/1' };
    const get = async (p: string): Promise<{ ms: number; body: string }> => {
      const t0 = performance.now();
      const res = await request(port, { path: p, headers, agent });
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${p} answered ${res.status}: ${res.body.slice(0, 500)}`);
      return { ms, body: res.body };
    };
    const page = (body: string, p: string, full: boolean): Page => {
      const parsed = JSON.parse(body) as Page;
      if (full && (parsed.items.length !== LIMIT || !parsed.nextCursor)) throw new Error(`GET ${p}: ${parsed.items.length} items, nextCursor ${parsed.nextCursor}`);
      return parsed;
    };

    const { rows: countRows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    const userCount = countRows[0]!.n;

    // The deep cursor: walk DEEP_PAGES pages once, following nextCursor.
    const firstPath = `/api/v1/users?sort=name&limit=${LIMIT}`;
    note(`users-list: walking ${DEEP_PAGES} pages of ${LIMIT} over HTTP`);
    const seen = new Set<string>();
    let cursor: string | null = null;
    const walkT0 = performance.now();
    const walkMs: number[] = [];
    for (let i = 0; i < DEEP_PAGES; i++) {
      const p: string = cursor ? `${firstPath}&cursor=${encodeURIComponent(cursor)}` : firstPath;
      const { ms, body } = await get(p);
      walkMs.push(ms);
      const pg1 = page(body, p, true);
      for (const it of pg1.items) seen.add(it.id);
      cursor = pg1.nextCursor;
    }
    const walkSeconds = (performance.now() - walkT0) / 1000;
    const deepCursor = cursor!;
    const offset = DEEP_PAGES * LIMIT;
    // The same ORDER BY, straight in SQL: the row at that offset must be the one the cursor names.
    const { rows: atOffset } = await pool.query<{ v: string; id: string }>(
      'SELECT lower(display_name) AS v, id FROM users ORDER BY lower(display_name), id OFFSET $1 LIMIT 1',
      [offset - 1],
    );
    const expected = encodeCursor(atOffset[0]!.v, atOffset[0]!.id);
    const paginationOk = seen.size === offset && expected === deepCursor;
    note(
      `users-list: walk took ${walkSeconds.toFixed(1)} s (page median ${round(median(walkMs))} ms, p95 ${round(quantile(walkMs, 0.95))} ms); ` +
        `${seen.size} distinct ids over ${offset} rows; cursor ${expected === deepCursor ? 'matches' : 'DIFFERS from'} the SQL row at offset ${offset}` +
        (paginationOk ? '' : ' -- PAGINATION PROBLEM'),
    );
    const deepPath = `${firstPath}&cursor=${encodeURIComponent(deepCursor)}`;

    // The search terms and how many users each matches (same predicate as the repo).
    const terms = [...SEARCH_STEMS, ...SEARCH_NAME_TERMS];
    const matches = new Map<string, number>();
    for (const t of terms) {
      const pattern = `%${t.toLowerCase()}%`;
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE email ILIKE $1 OR lower(display_name) LIKE $1', [pattern]);
      matches.set(t, rows[0]!.n);
    }
    note(`users-list: search terms (matching users): ${terms.map((t) => `${t} (${matches.get(t)})`).join(', ')}`);
    const perTerm = new Map(terms.map((t) => [t, [] as number[]]));
    const searchPath = (i: number) => `/api/v1/users?q=${encodeURIComponent(terms[i % terms.length]!)}&limit=${LIMIT}`;

    const kinds = {
      first: () => get(firstPath).then((r) => (page(r.body, firstPath, true), r.ms)),
      deep: () => get(deepPath).then((r) => (page(r.body, deepPath, true), r.ms)),
      search: (i: number, keep: boolean) => {
        const p = searchPath(i);
        return get(p).then((r) => {
          if (page(r.body, p, false).items.length === 0) throw new Error(`GET ${p}: no items`);
          if (keep) perTerm.get(terms[i % terms.length]!)!.push(r.ms);
          return r.ms;
        });
      },
      healthz: () => get('/healthz').then((r) => r.ms),
    };
    const order = ['first', 'deep', 'search', 'healthz'] as const;
    const samples: Record<(typeof order)[number], number[]> = { first: [], deep: [], search: [], healthz: [] };
    const round4 = async (i: number, keep: boolean) => {
      // Rotate which kind goes first so none always follows the same one.
      for (let k = 0; k < order.length; k++) {
        const kind = order[(i + k) % order.length]!;
        const ms = kind === 'search' ? await kinds.search(i, keep) : await kinds[kind]();
        if (keep) samples[kind].push(ms);
      }
    };
    note(`users-list: warm-up ${WARMUP} + ${SAMPLES} interleaved samples of first page, deep page, search and /healthz`);
    for (let i = 0; i < WARMUP; i++) await round4(i, false);
    for (let i = 0; i < SAMPLES; i++) await round4(i, true);

    const explain = await explainAll(pool, deepCursor, terms);
    // Per search term: which plan the server got (it depends on ANALYZE's sample) and what it cost.
    const termStats = terms.map((t, i) => ({ t, p95: quantile(perTerm.get(t)!, 0.95), med: median(perTerm.get(t)!), plan: explain.search[i]!.summary }));
    note(
      `users-list: search per term:\n${termStats
        .map((s) => `  q=${s.t}: ${matches.get(s.t)} matches, HTTP median ${round(s.med)} ms, p95 ${round(s.p95)} ms, plan ${s.plan}`)
        .join('\n')}`,
    );
    const worst = termStats.reduce((a, b) => (b.p95 > a.p95 ? b : a));

    const p95 = (k: keyof typeof samples) => quantile(samples[k], 0.95);
    const med = (k: keyof typeof samples) => median(samples[k]);
    const value = Math.max(p95('first'), p95('deep'), p95('search'));
    const baseline = p95('healthz');
    const matchCounts = [...matches.values()];
    return {
      name: 'users-list',
      value: round(value),
      unit: 'ms',
      baseline: round(baseline),
      ratio: round(value / baseline),
      goal: `<= ${GOAL_MS} ms`,
      met: value <= GOAL_MS,
      first_page_p95_ms: round(p95('first')),
      deep_page_p95_ms: round(p95('deep')),
      search_p95_ms: round(p95('search')),
      healthz_p95_ms: round(baseline),
      first_page_median_ms: round(med('first')),
      deep_page_median_ms: round(med('deep')),
      search_median_ms: round(med('search')),
      healthz_median_ms: round(med('healthz')),
      first_page_sql_ms: explain.first.ms,
      deep_page_sql_ms: explain.deep.ms,
      search_sql_max_ms: Math.max(...explain.search.map((s) => s.ms)),
      first_page_plan: explain.first.summary,
      deep_page_plan: explain.deep.summary,
      search_plan: [...new Set(explain.search.map((s) => s.summary))].join(' | '),
      users: userCount,
      deep_offset: offset,
      pagination_ok: paginationOk,
      search_worst_term: worst.t,
      search_worst_term_p95_ms: round(worst.p95),
      search_terms: terms.length,
      search_matches_min: Math.min(...matchCounts),
      search_matches_max: Math.max(...matchCounts),
      seed_s: round(seedSeconds, 1),
      samples: SAMPLES,
      loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
      database: mode,
    };
  } finally {
    agent.destroy();
  }
}

/** Signs the admin in over HTTP; returns the Cookie header to send back. */
async function signIn(port: number, origin: string, agent: http.Agent): Promise<string> {
  const res = await request(port, {
    method: 'POST',
    path: '/api/v1/auth/sign-in',
    headers: { origin, 'x-csrf-protection': '1', 'content-type': 'application/json', 'user-agent': 'crm-bench/1' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    agent,
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${res.body}`);
  const cookies = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!);
  if (cookies.length === 0) throw new Error('sign-in set no cookie');
  return cookies.join('; ');
}

interface Explained {
  ms: number;
  /** the plan's scan nodes, e.g. "Index Scan using users_name_sort_idx" */
  summary: string;
}

/**
 * Runs listUsers (the repo function the route calls, with the service's limit+1) on a drizzle
 * instance that records its SQL, then EXPLAIN (ANALYZE, BUFFERS) of exactly that SQL and params.
 */
async function explainAll(pool: pg.Pool, deepCursor: string, terms: string[]): Promise<{ first: Explained; deep: Explained; search: Explained[] }> {
  let captured: { sql: string; params: unknown[] } | null = null;
  const db = drizzle(pool, { schema, logger: { logQuery: (sql, params) => void (captured ??= { sql, params }) } });
  const base: UserListFilter = { sort: 'name', order: 'asc', limit: LIMIT + 1 };
  const one = async (label: string, f: UserListFilter): Promise<Explained> => {
    captured = null;
    await listUsers(db, f);
    const q = captured as { sql: string; params: unknown[] } | null;
    if (!q) throw new Error(`no SQL captured for ${label}`);
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
    const plan = rows.map((r) => r['QUERY PLAN']);
    process.stderr.write(`[bench] users-list: ${label}\n  SQL: ${q.sql}\n  params: ${JSON.stringify(q.params)}\n${plan.map((l) => `  | ${l}`).join('\n')}\n`);
    const exec = /Execution Time: ([\d.]+) ms/.exec(plan.join('\n'));
    const scans = plan.flatMap((l) => {
      const m = /(Seq Scan|Parallel Seq Scan|Index Only Scan|Index Scan Backward|Index Scan|Bitmap Index Scan)(?: using| on) (\S+)/.exec(l);
      return m ? [`${m[1]} ${m[1]!.startsWith('Bitmap') || m[1]!.startsWith('Index') ? 'using' : 'on'} ${m[2]}`] : [];
    });
    return { ms: exec ? round(Number(exec[1])) : Number.NaN, summary: scans.join(' + ') || 'no scan node' };
  };
  const first = await one('EXPLAIN first page', base);
  const deep = await one('EXPLAIN deep page', { ...base, after: decodeCursor(deepCursor) });
  const search: Explained[] = [];
  for (const t of terms) search.push(await one(`EXPLAIN search q=${t}`, { ...base, q: t }));
  return { first, deep, search };
}
