import { InvalidInput } from './errors.js';

const DECIMAL = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/; // < 10^12, at most two places, no sign

/**
 * Normalises a price to a two-place decimal string ("12.5" → "12.50").
 * A JSON number arrives as a double, but any price below 10^12 with two places has at most 14
 * significant digits, so `String(n)` gives back exactly the literal the client wrote.
 */
export function normalizePrice(raw: string | number, pointer = '/price'): string {
  const text = typeof raw === 'number' ? numberToPlainString(raw) : raw.trim();
  const match = text === undefined ? null : DECIMAL.exec(text);
  if (!match) {
    throw new InvalidInput([{
      pointer,
      message: 'must be a decimal from 0 to 999999999999.99 with at most two decimal places',
    }]);
  }
  return `${match[1]}.${(match[2] ?? '').padEnd(2, '0')}`;
}

function numberToPlainString(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const text = String(n);
  return /e/i.test(text) ? undefined : text; // 1e-7 or 1e21: not a price anyone typed
}
