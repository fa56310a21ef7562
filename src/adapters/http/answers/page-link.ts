import { formEncode } from './form-encode.js';

/**
 * A `next` or `previous` link: the collection's absolute URL (under PUBLIC_URL), the validated query
 * as it stands, and the cursor last, written as URLSearchParams would write them.
 */
export function pageLink(collectionUrl: string, query: Readonly<Record<string, unknown>>, cursor: string): string {
  let search = '';
  for (const [k, v] of Object.entries(query)) if (k !== 'cursor' && v !== undefined) search += `${formEncode(k)}=${formEncode(String(v))}&`;
  return `${oneByte(collectionUrl)}?${search}cursor=${formEncode(cursor)}`;
}

/**
 * The collection URL as a one-byte string. openapi.yaml holds characters beyond Latin-1 (…, —), so
 * V8 keeps it, and every string the YAML parser slices from it, two bytes a character; a path such as
 * '/items/' is then interned two-byte, and the '/items/' literal of a route compiled later is that
 * same string. One two-byte string in a page makes JSON.stringify write the whole body two-byte,
 * and Node then measures and encodes it as UTF-16 (String::Utf8Length, WriteUtf8, WriteToFlat<uint16_t>
 * in perf). A URL is ASCII, so a Latin-1 round trip copies it one byte a character, once per URL.
 */
function oneByte(url: string): string {
  let copy = oneByteUrls.get(url);
  if (copy === undefined) {
    copy = LATIN_1.test(url) ? Buffer.from(url, 'latin1').toString('latin1') : url;
    if (oneByteUrls.size < 16) oneByteUrls.set(url, copy); // the collections: a handful, fixed at start-up
  }
  return copy;
}
const oneByteUrls = new Map<string, string>();
const LATIN_1 = /^[\u0000-\u00ff]*$/;
