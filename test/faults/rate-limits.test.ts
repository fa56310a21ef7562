import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { redisAvailable } from '../support/redis.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const ACCOUNT = 3;
const ADDRESS = 5;
const LIMITS = {
  RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_ACCOUNT_PER_MINUTE: String(ACCOUNT), RATE_LIMIT_ADDRESS_PER_MINUTE: String(ADDRESS),
  TRUST_PROXY: '1', LOG_LEVEL: 'warn',
};
// Behind TRUST_PROXY=1 each test is its own client address, so runs sharing one Redis never share a budget.
const newAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const email = () => `rl-${Math.random().toString(36).slice(2, 10)}@example.com`;
const from = (address: string) => ({ 'X-Forwarded-For': address });


function expectTooMany(res: ApiResponse, shape: 'oauth' | 'problem'): void {
  expect(res.status).to.equal(429);
  expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
  if (shape === 'oauth') expect(res.body.error).to.equal('temporarily_unavailable');
  else expect(res.body.type).to.equal('/problems/too_many_requests');
}

const badLogin = (api: ApiClient, address: string, who = email()) =>
  api.post('/users/token/', { headers: from(address), json: { email: who, password: 'not the password' } });

describe('rate limits with the in-memory store', function () {
  this.timeout(60_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;
  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    server = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env: LIMITS });
    api = new ApiClient(server.url);
  });
  after(async () => { await server?.close(); });

  it('limits password-grant attempts per account, even from one address that is under its own budget', async () => {
    const address = newAddress();
    const victim = email();
    for (let i = 0; i < ACCOUNT; i++) expect((await badLogin(api, address, victim)).status).to.equal(400);
    const refused = await badLogin(api, address, victim);
    expectTooMany(refused, 'oauth');
    expect(refused.headers.get('cache-control')).to.equal('no-store');
    expect((await badLogin(api, address)).status).to.equal(400); // another account from that address still gets through
    // The OAuth 2 form names the account `username`: the same budget, whatever the letter case.
    expectTooMany(await api.post('/users/token/', { headers: from(newAddress()), form: { grant_type: 'password', username: victim.toUpperCase(), password: 'x' } }), 'oauth');
  });

  it('limits requests per client address across accounts, and other addresses are unaffected', async () => {
    const address = newAddress();
    for (let i = 0; i < ADDRESS; i++) expect((await badLogin(api, address)).status).to.equal(400);
    expectTooMany(await badLogin(api, address), 'oauth');
    expect((await badLogin(api, newAddress())).status).to.equal(400);
  });

  it('limits refresh per address, and answers sign-up with problem+json 429 per email', async () => {
    const address = newAddress();
    for (let i = 0; i < ADDRESS; i++) {
      expect((await api.post('/users/token/refresh/', { headers: from(address), json: { refresh: `junk-${i}` } })).status).to.equal(400);
    }
    expectTooMany(await api.post('/users/token/refresh/', { headers: from(address), json: { refresh: 'junk' } }), 'oauth');

    const signUp = (who: string, at: string) => api.post('/users/signup/', { headers: from(at), json: { email: who, password: 'correct horse battery', password2: 'correct horse battery' } });
    const who = email();
    const statuses = [];
    for (let i = 0; i < ACCOUNT; i++) statuses.push((await signUp(who, newAddress())).status);
    expect(statuses).to.deep.equal([201, 409, 409]);
    expectTooMany(await signUp(who, newAddress()), 'problem');
  });

  it('spends no account budget on requests that fail validation: malformed requests cannot lock a user out', async () => {
    const api2 = new ApiClient(server.url);
    const alice = email();
    const password = 'correct horse battery';
    expect((await api2.post('/users/signup/', { headers: from(newAddress()), json: { email: alice, password, password2: password } })).status).to.equal(201);
    for (let i = 0; i < ACCOUNT * 3; i++) { // each from its own address, so only the account's budget could run out
      const res = await api2.post('/users/token/', { headers: from(newAddress()), json: { email: alice } });
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
    }
    for (let i = 0; i < ACCOUNT * 3; i++) {
      expect((await api2.post('/users/token/', { headers: from(newAddress()), form: { grant_type: 'password', username: alice } })).status).to.equal(400);
    }
    const signIn = await api2.post('/users/token/', { headers: from(newAddress()), json: { email: alice, password } });
    expect(signIn.status, signIn.text).to.equal(200);
  });

  it('budgets password changes per account and per address, like sign-in', async () => {
    const user = await api.newUser('rl-password');
    const change = (at: string, token = user.token) => api.put('/users/password/', {
      token, headers: from(at), json: { old_password: 'a wrong guess', password: 'a brand new password', password2: 'a brand new password' },
    });
    for (let i = 0; i < ACCOUNT; i++) expect((await change(newAddress())).status).to.equal(400);
    expectTooMany(await change(newAddress()), 'problem'); // a fresh address: the account's budget is spent
    const right = await api.put('/users/password/', { token: user.token, headers: from(newAddress()),
      json: { old_password: user.password, password: 'a brand new password', password2: 'a brand new password' } });
    expectTooMany(right, 'problem'); // even the right old password waits out the window: no oracle

    const address = newAddress();
    for (let i = 0; i < ADDRESS; i++) expect((await change(address, `junk-token-${i}`)).status).to.equal(401);
    expectTooMany(await change(address, 'junk-token'), 'problem');
  });

  it('takes the client address from the entry the trusted proxy wrote, not from what the client sent', async () => {
    const address = newAddress();
    for (let i = 0; i < ADDRESS; i++) {
      const forged = `${newAddress()}, ${address}`; // the client's own X-Forwarded-For, then our proxy's entry
      expect((await api.post('/users/token/refresh/', { headers: { 'X-Forwarded-For': forged }, json: { refresh: 'junk' } })).status).to.equal(400);
    }
    expectTooMany(await api.post('/users/token/refresh/', { headers: from(`${newAddress()}, ${address}`), json: { refresh: 'junk' } }), 'oauth');
  });
});

describe('rate limits with the Redis store', function () {
  this.timeout(60_000);
  let proxy: TcpProxy;
  const servers: GatehouseUnderTest[] = [];
  let one: ApiClient;
  let two: ApiClient;
  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    requireService(this, await redisAvailable(), 'Redis on 127.0.0.1:6379');
    proxy = await startTcpProxy(6379); // so a test can take Redis away without stopping it
    const env = { ...LIMITS, REDIS_URL: `redis://127.0.0.1:${proxy.port}` };
    servers.push(await startTestGatehouse({ database: 'postgres', auth: 'embedded', env }));
    servers.push(await startTestGatehouse({ database: 'postgres', auth: 'embedded', env }));
    [one, two] = servers.map((s) => new ApiClient(s.url)) as [ApiClient, ApiClient];
    await new Promise((r) => setTimeout(r, 500)); // until both clients are connected: before that they let requests through
  });
  after(async () => {
    for (const s of servers) await s.close();
    await proxy?.close();
  });

  it('gives two instances one budget per address and per account', async () => {
    const address = newAddress();
    for (let i = 0; i < ADDRESS; i++) expect((await badLogin(i % 2 ? one : two, address)).status).to.equal(400);
    expectTooMany(await badLogin(one, address), 'oauth');
    expectTooMany(await badLogin(two, address), 'oauth');
    const victim = email();
    for (let i = 0; i < ACCOUNT; i++) expect((await badLogin(i % 2 ? one : two, newAddress(), victim)).status).to.equal(400);
    expectTooMany(await badLogin(two, newAddress(), victim), 'oauth');
  });

  it('lets requests through with a warning while Redis is unreachable, and limits again once it is back', async () => {
    const address = newAddress();
    await proxy.cut();
    try {
      const started = Date.now();
      for (let i = 0; i < ADDRESS * 2; i++) expect((await badLogin(one, address)).status).to.equal(400);
      console.log(`      Redis down: ${ADDRESS * 2} requests over the budget answered in ${Date.now() - started} ms, none refused`);
      expect(servers[0]!.logs.join('\n')).to.include('rate-limit store unavailable; not limiting');
    } finally {
      await proxy.restore();
    }
    const deadline = Date.now() + 10_000;
    let last: ApiResponse | undefined;
    while (Date.now() < deadline && (last = await badLogin(one, address)).status !== 429) await new Promise((r) => setTimeout(r, 200));
    expectTooMany(last!, 'oauth');
  });
});
