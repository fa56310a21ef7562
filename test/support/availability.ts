/**
 * A suite that needs a real service (PostgreSQL, the DOT peer, Chromium) calls this from `before`.
 * Locally a missing service skips the suite with the reason; under CI=true it fails the run,
 * so a green CI never hides a suite that did not run.
 */
export function requireService(ctx: Mocha.Context, available: boolean, what: string): void {
  if (available) return;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI=true but is not available`);
  console.warn(`      skipped: ${what} is not available`);
  ctx.skip();
}
