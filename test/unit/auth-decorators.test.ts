import { expect } from 'chai';
import { withInstrumentation } from '../../src/adapters/auth/instrumented-auth-server.js';
import { withTracing } from '../../src/adapters/tracing/traced-auth-server.js';
import type { AuthServer } from '../../src/ports/auth-server.js';

/** Every method, with arguments no decorator could make up, and an answer no decorator could either. */
const CALLS: { [M in keyof AuthServer]: Parameters<AuthServer[M]> } = {
  signUp: [{ email: 'a@example.com', password: 'pw', client: '127.0.0.9' }],
  issueToken: [{ email: 'a@example.com', password: 'pw', scopes: ['read'], client: '127.0.0.9', proof: { confirm: async () => 'jkt' } }],
  refresh: ['a-refresh-token', { confirm: async () => 'jkt' }],
  changePassword: ['an-access-token', { oldPassword: 'old', password: 'new', client: '127.0.0.9' }],
  revoke: ['a-token', 'refresh_token'],
  introspect: ['an-access-token'],
  ping: [],
};

/** An AuthServer that writes down what each method was handed and answers with its own name. */
function recording(): { server: AuthServer; seen: Partial<Record<keyof AuthServer, unknown[]>> } {
  const seen: Partial<Record<keyof AuthServer, unknown[]>> = {};
  const server = Object.fromEntries(Object.keys(CALLS).map((method) => [method, async (...args: unknown[]) => {
    seen[method as keyof AuthServer] = args;
    return method === 'introspect' ? { active: false } : method;
  }])) as unknown as AuthServer;
  return { server, seen };
}

describe('the decorators that only watch the authorization server (metrics, spans)', () => {
  for (const [name, decorate] of [
    ['withInstrumentation', (inner: AuthServer) => withInstrumentation(inner, () => undefined)],
    ['withTracing', withTracing],
  ] as const) {
    it(`${name} hands every method its arguments as they came, and its answer back`, async () => {
      const { server, seen } = recording();
      const decorated = decorate(server);
      for (const [method, args] of Object.entries(CALLS) as [keyof AuthServer, unknown[]][]) {
        const answer = await (decorated[method] as (...a: unknown[]) => Promise<unknown>)(...args);
        expect(seen[method], method).to.deep.equal(args);
        expect(answer, method).to.deep.equal(method === 'introspect' ? { active: false } : method);
      }
    });
  }
});
