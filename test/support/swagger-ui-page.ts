import type { Locator, Page } from 'playwright-core';

/** What a user does on Swagger UI's page, shared by the suites that drive it in Chromium. */

export async function openAuthorize(page: Page): Promise<Locator> {
  await page.locator('.auth-wrapper button.authorize').click();
  const dialog = page.locator('.modal-ux');
  await dialog.waitFor();
  return dialog;
}

export async function closeAuthorize(page: Page): Promise<void> {
  await page.locator('.modal-ux button.btn-done').first().click();
  await page.locator('.modal-ux').waitFor({ state: 'detached' });
}

/** The operations listed under a tag's heading, as a reader of the page sees them. */
/** Authorize → oauth2 (password) with the read and write scopes, as a user fills it in; waits until Swagger UI says Authorized. */
export async function signInWithPasswordFlow(page: Page, user: { email: string; password: string }): Promise<void> {
  const dialog = await openAuthorize(page);
  const oauth = dialog.locator('.auth-container').filter({ hasText: 'oauth2 (OAuth2, password)' });
  await oauth.locator('#oauth_username').fill(user.email);
  await oauth.locator('#oauth_password').fill(user.password);
  // The checkboxes themselves are hidden behind styled labels, as a user sees them.
  await oauth.locator('label[for="read-password-checkbox-oauth2"]').click();
  await oauth.locator('label[for="write-password-checkbox-oauth2"]').click();
  await oauth.getByRole('button', { name: 'Apply given OAuth2 credentials' }).click();
  await oauth.getByText('Authorized', { exact: true }).waitFor({ timeout: 10_000 });
  await closeAuthorize(page);
}

export async function expectTagged(page: Page, tag: string, operationIds: string[]): Promise<void> {
  for (const id of operationIds) await page.locator(`#operations-${tag}-${id}`).waitFor();
}

/** Expands an operation, presses "Try it out", fills the parameters and the body if given, executes, and reads the live response. */
export async function tryItOut(page: Page, operationId: string, body?: string, params: Record<string, string> = {}): Promise<{ status: string; body: string }> {
  const op = page.locator(`[id^="operations-"][id$="-${operationId}"]`);
  if (!(await op.locator('.try-out').isVisible())) await op.locator('.opblock-summary-control').click();
  const tryOut = op.locator('button.try-out__btn').first(); // already trying out: Cancel and Reset
  if ((await tryOut.textContent())?.includes('Try it out')) await tryOut.click();
  for (const [name, value] of Object.entries(params)) await op.locator(`tr[data-param-name="${name}"] input`).fill(value);
  if (body !== undefined) await op.locator('textarea.body-param__text').fill(body);
  await op.locator('button.execute').click();
  const response = op.locator('.live-responses-table tr.response');
  await response.waitFor();
  const result = {
    status: (await response.locator('.response-col_status').textContent())?.trim() ?? '',
    body: (await response.locator('.highlight-code pre').textContent()) ?? '',
  };
  await op.locator('button.btn-clear').click().catch(() => undefined); // the next execution must not read this one's answer
  return result;
}
