import { serialize } from 'node:v8';
import { expect } from 'chai';
import fc from 'fast-check';
import { formEncode } from '../../src/adapters/http/answers/form-encode.js';
import { pageLink } from '../../src/adapters/http/answers/page-link.js';

/** What a URL and its searchParams write for the same link: the code formEncode and pageLink replace. */
function viaUrl(collectionUrl: string, query: Record<string, unknown>, cursor: string): string {
  const url = new URL(collectionUrl);
  for (const [k, v] of Object.entries(query)) if (k !== 'cursor' && v !== undefined) url.searchParams.set(k, String(v));
  url.searchParams.set('cursor', cursor);
  return url.href;
}

/** V8's own serialisation tags a string one-byte ('"') or two-byte ('c'): the one public view of it. */
const isOneByte = (s: string) => serialize(s)[2] === '"'.charCodeAt(0);

describe('page links (answers/page-link.ts, answers/form-encode.ts)', () => {
  it('formEncode writes what URLSearchParams writes, for any string', () => {
    const samples = ['', 'a b', "!'()~*-._", '%20+&=?#/', 'é—…', '😀', '\uD800', 'x\uDFFFy', '\u0000'];
    for (const s of samples) expect(formEncode(s), JSON.stringify(s)).to.equal(new URLSearchParams([['k', s]]).toString().slice(2));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => formEncode(s) === new URLSearchParams([['k', s]]).toString().slice(2)));
  });

  it('pageLink writes the link a URL would, the cursor last', () => {
    const query = { limit: 20, ordering: '-price', owner: 'me', cursor: 'old', absent: undefined };
    expect(pageLink('https://api.example.com/v1/items/', query, 'WyJpZCIsMjAsMjAsImEiXQ'))
      .to.equal('https://api.example.com/v1/items/?limit=20&ordering=-price&owner=me&cursor=WyJpZCIsMjAsMjAsImEiXQ')
      .and.to.equal(viaUrl('https://api.example.com/v1/items/', query, 'WyJpZCIsMjAsMjAsImEiXQ'));
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(fc.string(), fc.integer())), fc.string({ minLength: 1 }), (q, cursor) =>
      pageLink('http://127.0.0.1:8001/items/', q, cursor) === viaUrl('http://127.0.0.1:8001/items/', q, cursor)));
  });

  it('writes a one-byte string even from a two-byte collection URL, so a page is stringified one byte a character', () => {
    // How '/items/' arrives: a slice of a text holding a character beyond Latin-1 is two-byte.
    const twoByte = 'http://127.0.0.1:8001/items/—'.slice(0, -1);
    expect(isOneByte(twoByte), 'the test starts from a two-byte string').to.equal(false);
    const link = pageLink(twoByte, { limit: 20, ordering: 'id' }, 'WyJpZCIsMjAsMjAsImEiXQ');
    expect(link).to.equal('http://127.0.0.1:8001/items/?limit=20&ordering=id&cursor=WyJpZCIsMjAsMjAsImEiXQ');
    expect(isOneByte(link)).to.equal(true);
    expect(isOneByte(JSON.stringify({ next: link, results: [] }))).to.equal(true);
  });
});
