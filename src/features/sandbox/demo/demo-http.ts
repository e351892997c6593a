/**
 * A small HTTP client for the demo: speaks to the running server like a browser would (a cookie jar,
 * the Origin and CSRF headers every state-changing request needs).
 */
export interface DemoResponse {
  status: number;
  body: unknown;
  location: string | null;
}

export class DemoClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly base: string,
    private readonly origin: string,
  ) {}

  /** One request; JSON in and out. Never follows redirects (the onboarding link sets its cookie on one). */
  async request(method: string, path: string, body?: unknown): Promise<DemoResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET') Object.assign(headers, { origin: this.origin, 'x-csrf-protection': '1' });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* an HTML page */
    }
    return { status: res.status, body: parsed, location: res.headers.get('location') };
  }

  /** A request that must succeed (2xx or 3xx); the error names the call and the server's answer. */
  async ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    if (res.status >= 400) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    return res.body as T;
  }
}
