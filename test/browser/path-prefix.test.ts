import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { chromiumAvailable, launchChromium, type Browser } from '../support/chromium.js';
import { assertMatchesContract } from '../support/contract.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { startPrefixProxy, type PrefixProxy } from '../support/prefix-proxy.js';
import { signInWithPasswordFlow, tryItOut } from '../support/swagger-ui-page.js';

const PREFIX = '/gh';

/**
 * Gatehouse behind a proxy that serves it under /gh and strips the prefix, PUBLIC_URL naming the
 * prefix: the docs page, everything it loads, "Try it out" and the OAuth2 password flow stay under /gh.
 */
describe('behind a proxy that strips a path prefix (PUBLIC_URL http://host/gh)', function () {
  this.timeout(90_000);
  let proxy: PrefixProxy;
  let server: GatehouseUnderTest;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    requireService(this, chromiumAvailable, 'Chromium at /usr/bin/chromium');
    proxy = await startPrefixProxy(PREFIX);
    server = await startTestGatehouse({ database: 'embedded', auth: 'embedded', env: { PUBLIC_URL: proxy.url } });
    proxy.target(server.url);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await proxy?.close();
  });

  it('redirects /gh/ to /gh/docs, and the initializer names the document and the OAuth2 redirect page under /gh', async () => {
    const root = await fetch(`${proxy.url}/`, { redirect: 'manual' });
    expect(root.status).to.equal(302);
    expect(root.headers.get('location')).to.equal(`${PREFIX}/docs`);
    const initializer = await (await fetch(`${proxy.url}/docs/swagger-initializer.js`)).text();
    expect(initializer).to.include(`url: "${PREFIX}/docs/openapi.json"`).and.include(`"${PREFIX}/docs/oauth2-redirect.html"`);
    expect((await fetch(`${proxy.url}/docs/oauth2-redirect.html`)).status).to.equal(200);
    const document = await (await fetch(`${proxy.url}/docs/openapi.json`)).json() as Record<string, any>;
    expect(document.servers).to.deep.equal([{ url: PREFIX }]);
    expect(document.components.securitySchemes.oauth2.flows.password).to.include({ tokenUrl: `${PREFIX}/users/token/`, refreshUrl: `${PREFIX}/users/token/refresh/` });
  });

  it('loads /gh/docs in Chromium with every operation listed, signs in through Authorize and runs "Try it out" (201, 200)', async () => {
    const user = await new ApiClient(server.url).newUser('prefix');
    page = await browser.context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', async (res) => {
      const url = new URL(res.url());
      if (!url.pathname.startsWith(`${PREFIX}/`)) problems.push(`left the prefix: ${res.request().method()} ${url.pathname} → ${res.status()}`);
      if (!['fetch', 'xhr'].includes(res.request().resourceType())) return;
      const text = await res.text().catch(() => '');
      const contentType = res.headers()['content-type'] ?? '';
      try { // the contract knows the paths as Gatehouse serves them, without the proxy's prefix
        assertMatchesContract({ method: res.request().method(), path: url.pathname.slice(PREFIX.length) + url.search, status: res.status(), headers: res.headers(),
          body: text && /json/.test(contentType) ? JSON.parse(text) : text || undefined, contentType });
      } catch (err) { problems.push(`contract: ${(err as Error).message}`); }
    });
    await page.goto(`${proxy.url}/docs`);
    await page.locator('.information-container .title').waitFor();
    const document = await (await fetch(`${server.url}/openapi.json`)).json() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const operationIds = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId).filter(Boolean));
    for (const id of operationIds) await page.locator(`[id^="operations-"][id$="-${id}"]`).first().waitFor();
    expect(operationIds.length).to.be.greaterThan(20);

    await signInWithPasswordFlow(page, user);

    const name = `prefix-lamp-${Math.random().toString(36).slice(2, 8)}`;
    const created = await tryItOut(page, 'createItem', JSON.stringify({ name, description: 'behind a proxy', price: '4.00' }));
    expect(created.status).to.equal('201');
    const listed = await tryItOut(page, 'listItems');
    expect(listed.status).to.equal('200');
    expect(JSON.parse(listed.body).results.map((i: { name: string }) => i.name)).to.include(name);
    expect(problems).to.deep.equal([]);
    expect(proxy.asked.filter((path) => !path.startsWith(`${PREFIX}/`) && path !== PREFIX)).to.deep.equal([]);
    await page.close();
  });
});
