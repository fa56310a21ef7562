import { expect } from 'chai';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';

const PASSWORD = 'correct horse battery';
const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}@example.com`;

describe('password checks under load (machine PostgreSQL, embedded auth server)', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    // N=2^14: slow enough (tens of ms) that concurrent attempts overlap, quick enough for a test.
    server = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env: { PASSWORD_HASH_COST: '14' } });
    api = new ApiClient(server.url);
  });
  after(async () => { await server?.close(); });

  const signUp = async (email: string, password = PASSWORD) =>
    expect((await api.post('/users/signup/', { json: { email, password, password2: password } })).status).to.equal(201);

  it('answers concurrent sign-ins for one account 503 temporarily_unavailable with Retry-After, while another account signs in', async () => {
    const [victim, bystander] = [unique('victim'), unique('bystander')];
    await signUp(victim);
    await signUp(bystander);
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => api.post('/users/token/', { json: { email: victim, password: 'wrong horse battery' } })),
      api.post('/users/token/', { form: { grant_type: 'password', username: bystander, password: PASSWORD } }),
    ]);
    const bystanders = answers.pop()!;
    expect(bystanders.status).to.equal(200);
    const busy = answers.filter((a) => a.status === 503);
    expect(answers.filter((a) => a.status === 400).length).to.be.at.least(1);
    expect(busy.length).to.be.at.least(1);
    expect(busy.length + answers.filter((a) => a.status === 400).length).to.equal(6);
    for (const a of busy) {
      expect(a.body).to.deep.equal({ error: 'temporarily_unavailable', error_description: 'too many password checks are running; retry in a few seconds' });
      expect(a.headers.get('retry-after')).to.equal('5');
      expect(a.headers.get('cache-control')).to.equal('no-store');
    }
  });

  it('answers concurrent password changes with one token 503 /problems/password_check_busy with Retry-After', async () => {
    const victim = unique('changer');
    await signUp(victim);
    const token = (await api.post('/users/token/', { json: { email: victim, password: PASSWORD } })).body.access_token as string;
    const change = { old_password: 'wrong horse battery', password: 'another passphrase', password2: 'another passphrase' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => api.put('/users/password/', { token, json: change })));
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).to.be.at.least(1);
    expect(answers.filter((a) => a.status === 400).length).to.be.at.least(1);
    for (const a of busy) {
      expect(a.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(a.body).to.include({ type: '/problems/password_check_busy', status: 503, title: 'Password checks busy' });
      expect(a.headers.get('retry-after')).to.equal('5');
    }
  });

  it('refuses a fullwidth "ｐａｓｓｗｏｒｄ" at sign-up as too common, so "password" signs nobody in', async () => {
    const email = unique('fullwidth');
    const res = await api.post('/users/signup/', { json: { email, password: 'ｐａｓｓｗｏｒｄ', password2: 'ｐａｓｓｗｏｒｄ' } });
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.equal([{ pointer: '/password', message: 'This password is too common.' }]);
    expect((await api.post('/users/token/', { json: { email, password: 'password' } })).status).to.equal(400);
  });
});
