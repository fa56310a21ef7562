/**
 * What `URLSearchParams` writes for a name or value (application/x-www-form-urlencoded): only
 * alphanumerics and `*-._` stay, a space is `+`. encodeURIComponent also keeps `!'()~`.
 * A page's two links built with it take 3.5 µs, with a URL and its searchParams per link 5.1 µs
 * (scripts/bench/micro.ts, "list links"): under 1 % of a list request, kept because
 * test/unit/page-link.test.ts holds it to URLSearchParams's output for any string.
 */
export function formEncode(s: string): string {
  // URLSearchParams first turns a lone surrogate into U+FFFD; encodeURIComponent would throw on it.
  const wellFormed = (s as string & { toWellFormed(): string }).toWellFormed();
  return encodeURIComponent(wellFormed).replace(/[!'()~]|%20/g, (c) => FORM_ESCAPES[c]!);
}
const FORM_ESCAPES: Record<string, string> = { '!': '%21', "'": '%27', '(': '%28', ')': '%29', '~': '%7E', '%20': '+' };
