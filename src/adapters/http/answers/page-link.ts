import { formEncode } from './form-encode.js';

/**
 * A `next` or `previous` link: the collection's absolute URL (under PUBLIC_URL), the validated query
 * as it stands, and the cursor last, written as URLSearchParams would write them.
 */
export function pageLink(collectionUrl: string, query: Readonly<Record<string, unknown>>, cursor: string): string {
  let search = '';
  for (const [k, v] of Object.entries(query)) if (k !== 'cursor' && v !== undefined) search += `${formEncode(k)}=${formEncode(String(v))}&`;
  return `${collectionUrl}?${search}cursor=${formEncode(cursor)}`;
}
