import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import { LISTENER_APPLICATION_NAME } from '../../src/adapters/db/postgres-retirement-channel.js';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { startPgListenerProxy, type PgListenerProxy } from '../support/pg-listener-proxy.js';
import { postgresAvailable } from '../support/postgres.js';
import { refusedAfter } from '../support/retirement-latency.js';

/** Resolves once the instance has logged a line containing `text` past line `from`; returns the line count then. */
async function logged(instance: GatehouseUnderTest, text: string, from: number, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!instance.logs.slice(from).some((line) => line.includes(text))) {
    if (Date.now() > deadline) throw new Error(`"${text}" not logged within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return instance.logs.length;
}

describe('the listening connection drops: two instances, embedded auth, B\'s listener cut', function () {
  this.timeout(60_000);
  let a: GatehouseUnderTest;
  let b: GatehouseUnderTest;
  let proxy: PgListenerProxy;
  let apiA: ApiClient;
  let apiB: ApiClient;

  before(async function () {
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    a = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env: { INTROSPECTION_CACHE_TTL: '300' } });
    proxy = await startPgListenerProxy(LISTENER_APPLICATION_NAME);
    const through = new URL(a.databaseUrl!);
    through.port = String(proxy.port);
    b = await startTestGatehouse({ database: 'postgres', auth: 'embedded', env: { INTROSPECTION_CACHE_TTL: '300' }, join: { instance: a, databaseUrl: through.toString() } });
    [apiA, apiB] = [new ApiClient(a.url), new ApiClient(b.url)];
  });
  after(async () => {
    await b?.close();
    await proxy?.close();
    await a?.close();
  });

  const refresh = async (refreshToken: string) => {
    const res = await apiA.post('/users/token/refresh/', { json: { refresh: refreshToken } });
    expect(res.status).to.equal(200);
    return res.body;
  };
  const status = async (token: string) => (await apiB.get('/items/?limit=1', { token })).status;

  it('trusts nothing cached from before, keeps answers 2 s at most while deaf, and hears again once the connection is back', async () => {
    const user = await apiA.newUser('deaf');
    expect(await status(user.token)).to.equal(200); // cached on B for 300 s
    let mark = await logged(b, 'gatehouse is listening', 0);

    proxy.cut();
    mark = await logged(b, 'retirement channel: not listening', mark);
    const second = await refresh(user.refresh); // unheard by B: A's NOTIFY goes to a connection that is not there
    expect(await status(user.token)).to.equal(401); // B emptied its cache when it went deaf

    expect(await status(second.access_token)).to.equal(200);
    const warmed = performance.now();
    const third = await refresh(second.refresh_token); // unheard again
    expect(await status(second.access_token)).to.equal(200); // cached while deaf, and nobody told B
    const refusedAt = await refusedAfter(b.url, second.access_token, warmed);
    expect(refusedAt).to.be.within(1_500, 2_500); // the 2 s cap, not the 300 s TTL
    console.log(`      while deaf, a retired token cached on B was refused ${Math.round(refusedAt)} ms after B cached it`);

    proxy.restore();
    mark = await logged(b, 'retirement channel: listening again', mark);
    expect(await status(third.access_token)).to.equal(200);
    await refresh(third.refresh_token);
    expect(await refusedAfter(b.url, third.access_token, performance.now())).to.be.below(100); // heard again
  });

  it('empties its cache when it hears again: a retirement missed while deaf does not survive the reconnection', async () => {
    const user = await apiA.newUser('missed');
    let mark = b.logs.length;
    proxy.cut();
    mark = await logged(b, 'retirement channel: not listening', mark);
    expect(await status(user.token)).to.equal(200);
    const warmed = performance.now();
    await refresh(user.refresh); // missed by B
    proxy.restore(); // the next attempt, within about 100–400 ms, succeeds
    await logged(b, 'retirement channel: listening again', mark);
    const refusedAt = await refusedAfter(b.url, user.token, warmed);
    expect(refusedAt).to.be.below(1_500); // before the 2 s cap would have done it
    console.log(`      a retirement missed while deaf was refused on B ${Math.round(refusedAt)} ms after B cached the token (reconnected and emptied)`);
  });
});
