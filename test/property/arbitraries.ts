import fc from 'fast-check';

type Json = Record<string, any>;

/** Follows `$ref`s into the document. */
export function resolver(doc: Json): (node: Json | undefined) => Json {
  return (node) => {
    let at = node ?? {};
    while (typeof at.$ref === 'string') {
      at = (at.$ref as string).slice(2).split('/').reduce((o: Json, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    }
    return at;
  };
}

/** Values a schema accepts: enough of JSON Schema for openapi.yaml (types, enum, const, lengths, patterns, ranges, anyOf). */
export function valid(schema: Json, resolve: (n: Json) => Json): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  if (s.anyOf || s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf).map((sub: Json) => valid(sub, resolve)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'integer': return fc.integer({ min: s.minimum ?? 0, max: s.maximum ?? 1_000_000 });
    case 'number': return fc.integer({ min: 0, max: 99_999 }).map((n) => n / 100);
    case 'boolean': return fc.boolean();
    case 'array': return fc.array(valid(s.items ?? {}, resolve), { maxLength: 3 });
    case 'object': {
      const props: Json = s.properties ?? {};
      const writable = Object.fromEntries(Object.entries(props).filter(([, p]) => !resolve(p).readOnly)
        .map(([k, p]) => [k, valid(p, resolve)]));
      return fc.record(writable, { requiredKeys: (s.required ?? []).filter((k: string) => k in writable) });
    }
    default: {
      if (s.format === 'email') return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 254));
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 1000));
      return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) });
    }
  }
}

/** Strings that are wrong in as many ways as a client could be: huge, empty, odd unicode, control characters, injections. */
export const junkString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates among them
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\udfff\ud800', '\u202e\u0041', '😀'.repeat(60), 'é'.repeat(51), "' or 1=1 --", '../../etc/passwd', '%00', '-1', '0', '1e309', 'NaN',
    '99999999999999999999', '12.345', '<script>', '{"$gt":""}', '\r\nX-Injected: 1'),
  fc.integer({ min: 100, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Numbers at and past every edge a column or a double has. */
export const hugeNumber = fc.constantFrom(2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53 + 2, 1e21, 1e308, -1e308, 5e-324, -0, 1.005, 999999999999.995);

export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  junkString, fc.integer(), fc.double(), hugeNumber, fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}),
  fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A valid body made wrong in one way: a field dropped, retyped or added, or the whole body replaced. */
export function mutated(body: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(body, fc.nat(), junkValue, fc.string({ minLength: 1, maxLength: 12 })).chain(([value, pick, junk, extra]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fc.constant(junk);
    const keys = Object.keys(value);
    const key = keys.length ? keys[pick % keys.length]! : extra;
    const { [key]: _dropped, ...without } = value as Json;
    return fc.constantFrom<unknown>(without, { ...value, [key]: junk }, { ...value, [extra]: junk }, junk, [value]);
  });
}

/**
 * Cursors a client made itself: base64url of JSON shaped like ours but wrong in a field (an id that
 * is fractional, past 2^31 or a string; a key of the wrong type for its ordering, with NUL…), or not JSON.
 */
export const tamperedCursor: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(
    fc.oneof(fc.constantFrom('id', '-id', 'name', '-name', 'price', '-price'), junkString),
    fc.oneof(junkValue, fc.constantFrom('12.50', 'abc', 'a\u0000', 7)),
    fc.oneof(fc.integer({ min: 1, max: 100 }), hugeNumber, fc.constantFrom(1.5, 0, -1, '1')),
    fc.constantFrom('a', 'b', 'c', 1),
  ).map((parts) => JSON.stringify(parts)),
  fc.constantFrom('[]', '{}', '"id"', 'null', '[1,2,3,4,5]'),
  junkString,
).map((json) => Buffer.from(json).toString('base64url'));

/** How a body may be encoded on the wire: as it is, compressed properly, or claiming an encoding it is not in. */
export type Encoding = 'identity' | 'gzip' | 'deflate' | 'br' | 'gzip-broken' | 'br-broken' | 'unknown';
export const encoding: fc.Arbitrary<Encoding> = fc.constantFrom<Encoding>('identity', 'identity', 'identity', 'gzip', 'deflate', 'br', 'gzip-broken', 'br-broken', 'unknown');
