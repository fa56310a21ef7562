import { mkdir } from 'node:fs/promises';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { ApiClient } from '../support/api-client.js';
import { requireService } from '../support/availability.js';
import { chromiumAvailable, launchChromium, type Browser } from '../support/chromium.js';
import { assertMatchesContract } from '../support/contract.js';
import { startTestGatehouse, type GatehouseUnderTest } from '../support/gatehouse.js';
import { postgresAvailable } from '../support/postgres.js';
import { makeStaff } from '../support/staff.js';
import { closeAuthorize, expectTagged, openAuthorize, signInWithPasswordFlow, tryItOut } from '../support/swagger-ui-page.js';

const SCREENSHOTS = 'test-results';
const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** Swagger UI at /docs in a real browser, the way a consumer uses it: Authorize, then "Try it out". */
describe('Swagger UI at /docs in Chromium', function () {
  this.timeout(90_000);
  let server: GatehouseUnderTest;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  /** Console errors, page errors and contract breaches seen by the current test's page. */
  let problems: string[];
  /** What Swagger UI sent to the token endpoint, for the report and the assertions. */
  let tokenRequests: { headers: Record<string, string>; body: string }[];

  before(async function () {
    requireService(this, chromiumAvailable, 'Chromium at /usr/bin/chromium');
    requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
    server = await startTestGatehouse({ database: 'postgres', auth: 'embedded' }); // postgres: the staff test flags a user in it
    api = new ApiClient(server.url);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    problems = [];
    tokenRequests = [];
    page = await browser.context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/users/token/') tokenRequests.push({ headers: req.headers(), body: req.postData() ?? '' });
    });
    // Every API answer the browser sees must match the contract, as in the HTTP suites.
    page.on('response', async (res) => {
      if (!['fetch', 'xhr'].includes(res.request().resourceType())) return;
      const url = new URL(res.url());
      const text = await res.text().catch(() => '');
      const contentType = res.headers()['content-type'] ?? '';
      try {
        assertMatchesContract({
          method: res.request().method(), path: url.pathname + url.search, status: res.status(), headers: res.headers(),
          body: text && /json/.test(contentType) ? JSON.parse(text) : text || undefined, contentType,
        });
      } catch (err) { problems.push(`contract: ${(err as Error).message}`); }
    });
    await page.goto(`${server.url}/docs`);
    await page.locator('.information-container .title').waitFor();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      await mkdir(SCREENSHOTS, { recursive: true });
      const file = `${SCREENSHOTS}/swagger-ui-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}.png`;
      await page.screenshot({ path: file, fullPage: true }).then(() => console.log(`      screenshot: ${file}`), () => undefined);
    }
    await page?.close();
  });

  it('signs in through Authorize with the OAuth2 password flow, creates an item with "Try it out" (201) and lists it', async () => {
    const user = await api.newUser('swagger');
    await signInWithPasswordFlow(page, user);

    expect(tokenRequests).to.have.length(1);
    console.log('      Swagger UI sent:', JSON.stringify({ authorization: tokenRequests[0]!.headers.authorization, contentType: tokenRequests[0]!.headers['content-type'], body: tokenRequests[0]!.body.replace(/password=[^&]*/, 'password=…') }));
    const sent = new URLSearchParams(tokenRequests[0]!.body);
    expect(Object.fromEntries(sent)).to.deep.equal({ grant_type: 'password', scope: 'read write', username: user.email, password: user.password });

    const name = unique('swagger-lamp');
    const created = await tryItOut(page, 'createItem', JSON.stringify({ name, description: 'made in Swagger UI', price: '12.50' }));
    expect(created.status).to.equal('201');
    expect(JSON.parse(created.body)).to.include({ name, price: '12.50' });

    const listed = await tryItOut(page, 'listItems');
    expect(listed.status).to.equal('200');
    expect(JSON.parse(listed.body).results.map((i: { name: string }) => i.name)).to.include(name);
    expect(problems).to.deep.equal([]);
  });

  it('works with a bearer token pasted into Authorize', async () => {
    const user = await api.newUser('pasted');
    const dialog = await openAuthorize(page);
    const bearer = dialog.locator('.auth-container').filter({ hasText: 'bearerAuth' });
    await bearer.locator('#auth-bearer-value').fill(user.token);
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    await closeAuthorize(page);

    const name = unique('pasted-lamp');
    const created = await tryItOut(page, 'createItem', JSON.stringify({ name, description: 'pasted token', price: 3 }));
    expect(created.status).to.equal('201');
    expect(JSON.parse(created.body).user).to.deep.equal({ id: user.id, email: user.email });
    const listed = await tryItOut(page, 'listItems');
    expect(JSON.parse(listed.body).results.map((i: { name: string }) => i.name)).to.include(name);
    expect(tokenRequests).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
  });

  it('shows the admin operations, and staff use them with Authorize: list users, deactivate one; granting staff is for superusers', async () => {
    const staff = await api.newUser('swagger-staff');
    const target = await api.newUser('swagger-target');
    await makeStaff(server.databaseUrl!, staff.id);
    await expectTagged(page, 'admin', ['listUsers', 'getUser', 'changeUser']);
    const dialog = await openAuthorize(page);
    const bearer = dialog.locator('.auth-container').filter({ hasText: 'bearerAuth' });
    await bearer.locator('#auth-bearer-value').fill(staff.token);
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    await closeAuthorize(page);

    const listed = await tryItOut(page, 'listUsers');
    expect(listed.status).to.equal('200');
    expect(JSON.parse(listed.body).results.map((u: { id: number }) => u.id)).to.include.members([staff.id, target.id]);
    expect(JSON.parse(listed.body).results.find((u: { id: number }) => u.id === staff.id)).to.include({ is_staff: true, is_superuser: false });
    const promoted = await tryItOut(page, 'changeUser', JSON.stringify({ is_staff: true }), { id: String(target.id) });
    expect(promoted.status).to.equal('403');
    expect(JSON.parse(promoted.body).type).to.equal('/problems/not_superuser');
    const changed = await tryItOut(page, 'changeUser', JSON.stringify({ is_active: false }), { id: String(target.id) });
    expect(changed.status).to.equal('200');
    expect(JSON.parse(changed.body)).to.include({ id: target.id, is_active: false, is_superuser: false });
    expect((await api.get('/items/', { token: target.token })).status).to.equal(401);
    // The refused promotion logs "Failed to load resource" in the console: the browser's own note, not a fault of the page.
    expect(problems.filter((p) => !/status of 403/.test(p))).to.deep.equal([]);
  });

  it('opens on the Authorize button and the operations at a 900 px tall window; the long description is one click away', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/docs`);
    const authorize = page.locator('.auth-wrapper button.authorize');
    const firstOperation = page.locator('.opblock').first();
    await firstOperation.waitFor();
    const [button, operation] = [await authorize.boundingBox(), await firstOperation.boundingBox()];
    console.log(`      at 1280×900: Authorize button ends at ${Math.round(button!.y + button!.height)} px, the first operation at ${Math.round(operation!.y + operation!.height)} px`);
    expect(button!.y + button!.height, 'the Authorize button\'s bottom').to.be.at.most(900);
    expect(operation!.y + operation!.height, 'the first operation\'s bottom').to.be.at.most(900);

    // Folded, not gone: the guide opens in place.
    const guide = page.locator('.information-container details');
    expect(await guide.getByRole('heading', { name: 'Authentication' }).isVisible()).to.equal(false);
    await guide.locator('summary').click();
    expect(await guide.getByRole('heading', { name: 'Authentication' }).isVisible()).to.equal(true);
    expect(await guide.locator('table').first().isVisible(), 'the problem table, rendered').to.equal(true);
    expect(problems).to.deep.equal([]);
  });

  it('shows the 401 problem when "Try it out" runs without authorising', async () => {
    const res = await tryItOut(page, 'listItems');
    expect(res.status).to.equal('401');
    expect(JSON.parse(res.body).type).to.equal('/problems/unauthenticated');
    // A 401 logs "Failed to load resource" in the console: the browser's own note, not a fault of the page.
    expect(problems.filter((p) => !/status of 401/.test(p))).to.deep.equal([]);
  });
});
