import { assertMatchesContract } from './contract.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface RequestOptions {
  json?: unknown;
  form?: Record<string, string>;
  /** A raw body with its content type, for malformed and oversized requests. */
  raw?: { body: string; type: string };
  token?: string;
  headers?: Record<string, string>;
}

/** Talks to a listening Gatehouse and checks every response it sees against openapi.yaml. */
const SECRET_FIELDS = ['password', 'password2', 'old_password', 'refresh', 'refresh_token', 'access_token'];

export class ApiClient {
  readonly seen: ApiResponse[] = [];
  /** Every password and token this client sent or received, for tests that look for leaks. */
  readonly secrets = new Set<string>();

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.json !== undefined) { body = JSON.stringify(options.json); headers['Content-Type'] = 'application/json'; }
    if (options.form) { body = new URLSearchParams(options.form).toString(); headers['Content-Type'] = 'application/x-www-form-urlencoded'; }
    if (options.raw) { body = options.raw.body; headers['Content-Type'] = options.raw.type; }
    const url = new URL(path, this.baseUrl);
    if (options.token) Object.assign(headers, await this.credentials(method, url, options.token));
    if (options.token) this.secrets.add(options.token);
    this.collectSecrets(options.json ?? options.form);
    const res = await fetch(url, { method, headers, body: body ?? null });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    const parsed = text && /json/.test(contentType) ? JSON.parse(text) : text || undefined;
    assertMatchesContract({ method, path, status: res.status, headers: res.headers, body: parsed, contentType });
    this.collectSecrets(parsed);
    const response = { status: res.status, headers: res.headers, body: parsed, text };
    this.seen.push(response);
    return response;
  }

  /** The headers that present `token` with a request: a bearer token here; DpopApiClient adds a proof. */
  protected async credentials(_method: string, _url: URL, token: string): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${token}` };
  }

  /** Extra headers of newUser's token request: none here; DpopApiClient sends a proof, for a bound pair. */
  protected async tokenRequestHeaders(_url: URL): Promise<Record<string, string>> {
    return {};
  }

  private collectSecrets(body: unknown): void {
    if (typeof body !== 'object' || body === null) return;
    for (const field of SECRET_FIELDS) {
      const value = (body as Record<string, unknown>)[field];
      if (typeof value === 'string' && value.length >= 10) this.secrets.add(value); // shorter ones ("password") match field names
    }
  }

  get = (path: string, o?: RequestOptions) => this.request('GET', path, o);
  post = (path: string, o?: RequestOptions) => this.request('POST', path, o);
  put = (path: string, o?: RequestOptions) => this.request('PUT', path, o);
  patch = (path: string, o?: RequestOptions) => this.request('PATCH', path, o);
  delete = (path: string, o?: RequestOptions) => this.request('DELETE', path, o);

  /** Signs a new user up and returns a token pair for it. */
  async newUser(prefix = 'user', scope?: string) {
    const email = `${prefix}-${Math.random().toString(36).slice(2, 10)}@example.com`;
    const password = 'correct horse battery';
    const signup = await this.post('/users/signup/', { json: { email, password, password2: password } });
    if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${signup.text}`);
    const token = await this.post('/users/token/', {
      json: { email, password, ...(scope ? { scope } : {}) }, headers: await this.tokenRequestHeaders(new URL('/users/token/', this.baseUrl)),
    });
    if (token.status !== 200) throw new Error(`token failed: ${token.status} ${token.text}`);
    return { email, password, id: signup.body.id as number, token: token.body.access_token as string, refresh: token.body.refresh_token as string };
  }
}
