import type { TokenPair, User } from '../../../domain/account.js';
import type { Item } from '../../../domain/item.js';
import type { Schema } from '../contract/operations.js';

/** Domain values to the wire's names, in one visible place, each typed by its schema in openapi.yaml. */
export function itemBody(item: Item): Schema<'Item'> {
  return {
    id: item.id,
    name: item.name,
    description: item.description,
    price: item.price,
    user: userBody(item.owner),
  };
}

export function userBody(user: User): Schema<'User'> {
  return { id: user.id, email: user.email };
}

export function tokenBody(pair: TokenPair): Schema<'TokenResponse'> {
  return {
    access_token: pair.accessToken,
    token_type: pair.boundTo ? 'DPoP' : 'Bearer',
    expires_in: pair.expiresIn,
    refresh_token: pair.refreshToken,
    scope: pair.scopes.join(' '),
  };
}

/** A strong entity tag per version: the representation of one version never changes. */
export function etagOf(item: Item): string {
  return `"v${item.version}"`;
}

/**
 * RFC 9110 §13.1.2: whether an If-None-Match names the current representation, so a GET answers
 * 304. `*` names any; otherwise a list of entity tags compared weakly (`W/"v3"` matches `"v3"`).
 * A tag is matched as a whole quoted string, so a comma inside one cannot split it.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined || header.trim() === '') return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.replace(/^W\//, '');
  return (header.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === opaque(etag));
}

/**
 * The version an If-Match asks for: undefined when absent or `*` (the item exists, or we answer 404),
 * -1 for a tag this server never made, so the compare-and-set fails with 412 as RFC 9110 §13.1.1 asks.
 */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const tags = header.split(',').map((t) => t.trim());
  const versions = tags.map((t) => /^"v(\d{1,9})"$/.exec(t)?.[1]).filter((v): v is string => v !== undefined);
  // Several tags can only all match if they name one version; anything else cannot match.
  return versions.length === tags.length && new Set(versions).size === 1 ? Number(versions[0]) : -1;
}
