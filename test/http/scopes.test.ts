import { expect } from 'chai';
import { loadOpenApiDocument } from '../../src/adapters/http/contract/openapi-document.js';
import { ApiClient } from '../support/api-client.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';

type Json = Record<string, any>;
const doc = loadOpenApiDocument().json;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every operation that needs a token, with the scopes its `security` names per scheme. */
const secured = Object.entries<Json>(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]?.security?.length)
  .map((method) => ({ path, method, op: item[method] as Json })));

/** The README's rule: `read` for GET, `write` for the rest. */
const ruleFor = (method: string) => (method === 'get' ? 'read' : 'write');

describe('least privilege: every operation needs the scope the README\'s rule names', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;
  const tokens: Record<'read' | 'write', string> = { read: '', write: '' };
  let itemId = 0;

  before(async () => {
    server = await startTestGatehouse({ database: 'embedded', auth: 'embedded' });
    api = new ApiClient(server.url);
    tokens.read = (await api.newUser('scope-read', 'read')).token;
    const writer = await api.newUser('scope-write', 'write');
    tokens.write = writer.token;
    itemId = (await api.post('/items/', { token: writer.token, json: { name: 'scoped', description: '', price: '1' } })).body.id;
  });
  after(async () => { await server?.close(); });

  it('documents the rule\'s scope on every secured operation, for both schemes', () => {
    expect(secured.map((s) => s.op.operationId)).to.include.members(['changePassword', 'listItems', 'createItem', 'deleteItem']);
    for (const { method, op } of secured) {
      for (const requirement of op.security as Json[]) {
        for (const [scheme, scopes] of Object.entries(requirement)) {
          expect(scopes, `${op.operationId} ${scheme}`).to.deep.equal([ruleFor(method)]);
        }
      }
    }
  });

  for (const { path, method, op } of secured) {
    const needed = ruleFor(method);
    const other = needed === 'read' ? 'write' : 'read';
    it(`refuses ${op.operationId} to a token with only "${other}": 403 insufficient_scope naming "${needed}"`, async () => {
      const url = path.replace('{id}', String(itemId));
      const res = await api.request(method.toUpperCase(), url, { token: tokens[other], ...(method === 'get' || method === 'delete' ? {} : { json: {} }) });
      expect(res.status, res.text).to.equal(403);
      expect(res.body.type).to.equal('/problems/insufficient_scope');
      expect(res.headers.get('www-authenticate')).to.include(`error="insufficient_scope", scope="${needed}"`);
    });
  }

  it('lets a read-only token read, and nothing of the account changes when it tries the password', async () => {
    const reader = await api.newUser('scope-reader', 'read');
    expect((await api.get('/items/', { token: reader.token })).status).to.equal(200);
    const change = await api.put('/users/password/', { token: reader.token,
      json: { old_password: reader.password, password: 'a brand new password', password2: 'a brand new password' } });
    expect(change.status).to.equal(403);
    // The old password still signs in: the refused request changed nothing.
    expect((await api.post('/users/token/', { json: { email: reader.email, password: reader.password } })).status).to.equal(200);
  });
});
