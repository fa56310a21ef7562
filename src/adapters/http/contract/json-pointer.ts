/**
 * JSON Pointer (RFC 6901) as the OpenAPI document uses it: `$ref`s within the document, and the
 * pointers ajv and field errors carry. One walker, for the operation table and the validators alike.
 */

/** Follows `#/…` references, however many; a reference to nothing is a broken document, which stops the start. */
export function deref(doc: Record<string, any>, node: any): any {
  let at = node;
  while (typeof at?.$ref === 'string') {
    const ref: string = at.$ref;
    at = ref.replace(/^#\//, '').split('/').map(unescapeToken).reduce((o: any, k) => o?.[k], doc);
    if (at === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return at;
}

export const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
export const unescapeToken = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');
