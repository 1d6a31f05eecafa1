// A small browser stand-in for the dashboard's HTTP tests: a cookie jar, forms posted the way a browser
// posts them (with the page's CSRF token unless told otherwise), redirects followed by hand so each step can
// be asserted. Real HTTP to the real server on loopback.

export interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The text with the HTML escapes of quotes, ampersands and angle brackets undone (for matching sentences). */
  plain: string;
  /** The Location header of a redirect. */
  location: string | null;
}

export interface WebClient {
  readonly base: string;
  readonly cookies: Map<string, string>;
  /** Raw Set-Cookie headers seen, in order (for attribute checks). */
  readonly setCookies: string[];
  get(path: string, headers?: Record<string, string>): Promise<WebResponse>;
  /** Posts a urlencoded form; `csrf: false` leaves the token out, a string sends that token. */
  post(path: string, fields: Record<string, string | string[]>, opts?: { csrf?: boolean | string; headers?: Record<string, string> }): Promise<WebResponse>;
  /** Posts a multipart form with one file. */
  postFile(path: string, fields: Record<string, string>, file: { name: string; field: string; body: string; type?: string }): Promise<WebResponse>;
  /** The CSRF token of the last page fetched with GET. */
  csrf(): string;
}

export function unescapeHtml(html: string): string {
  return html.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function csrfOf(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

export function webClient(base: string): WebClient {
  const cookies = new Map<string, string>();
  const setCookies: string[] = [];
  let lastCsrf: string | null = null;

  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  function remember(res: Response) {
    for (const sc of res.headers.getSetCookie()) {
      setCookies.push(sc);
      const [pair, ...attrs] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now()));
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  }
  async function send(path: string, init: RequestInit): Promise<WebResponse> {
    const res = await fetch(new URL(path, base), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
    remember(res);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, plain: unescapeHtml(text), location: res.headers.get('location') };
  }
  return {
    base,
    cookies,
    setCookies,
    async get(path, headers = {}) {
      const r = await send(path, { method: 'GET', headers });
      const token = csrfOf(r.text);
      if (token) lastCsrf = token;
      return r;
    },
    post(path, fields, opts = {}) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      if (opts.csrf !== false) body.set('_csrf', typeof opts.csrf === 'string' ? opts.csrf : (lastCsrf ?? ''));
      return send(path, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers } });
    },
    postFile(path, fields, file) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.set('_csrf', lastCsrf ?? '');
      form.append(file.field, new Blob([file.body], { type: file.type ?? 'text/xml' }), file.name);
      return send(path, { method: 'POST', body: form });
    },
    csrf() {
      if (!lastCsrf) throw new Error('web client: no page with a CSRF token was fetched yet');
      return lastCsrf;
    },
  };
}

export { freePort } from './ports.ts';

/** The href of the first link whose text contains `text` (emulators' authorisation pages). */
export function linkTo(html: string, text: string): string {
  for (const m of html.matchAll(/<a href="([^"]+)">([^<]*)<\/a>/g)) if (m[2]!.includes(text)) return unescapeHtml(m[1]!);
  throw new Error(`no link "${text}" in ${html.slice(0, 500)}`);
}
