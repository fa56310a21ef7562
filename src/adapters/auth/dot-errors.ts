import type { FieldError } from '../../domain/errors.js';
import { AuthServerBadAnswer, InvalidGrant, InvalidInput, InvalidScope } from '../../domain/errors.js';
import { jsonObject, serverError, unexpected, type Answer } from './http-client.js';

/**
 * DRF validation errors: `{"field": ["msg", …]}`, and for the old password at `/users/password/`
 * the nested `{"old_password": {"old_password": "msg"}}` (kept by the peer because clients see it).
 * `non_field_errors` points at the whole body.
 */
export function fieldErrors(answer: Answer): FieldError[] {
  const body = jsonObject(answer);
  const errors: FieldError[] = [];
  for (const [field, value] of Object.entries(body)) {
    const pointer = field === 'non_field_errors' ? '' : `/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    for (const message of messagesIn(value)) errors.push({ pointer, message });
  }
  if (errors.length === 0 || 'detail' in body) {
    // `{"detail": …}` is about our request as a whole (a parse error), not about the user's input.
    throw new AuthServerBadAnswer(`${answer.path} answered 400 without field errors`);
  }
  return errors;
}

export function invalidInput(answer: Answer): InvalidInput {
  return new InvalidInput(fieldErrors(answer));
}

function messagesIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(messagesIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(messagesIn);
  return [];
}

/**
 * An RFC 6749 §5.2 error from `/o/token/` or `/o/revoke_token/` turned into what it means for
 * Gatehouse. Unlike a generic server, DOT offers our client both grants: a refused grant type is
 * a misconfigured DOT, not a grant to get elsewhere.
 */
export function tokenEndpointError(answer: Answer): Error {
  if (answer.status >= 500) return serverError(answer);
  if (answer.status === 401) {
    // invalid_client from DOT means our own client id or secret is wrong, not the caller's fault
    return new AuthServerBadAnswer('the authorization server rejects our client credentials (check AUTH_CLIENT_ID and AUTH_CLIENT_SECRET)');
  }
  if (answer.status !== 400) return unexpected(answer);
  const { error } = jsonObject(answer);
  if (error === 'invalid_grant') return new InvalidGrant();
  if (error === 'invalid_scope') return new InvalidScope();
  // The only fields DOT can find missing are the user's (an empty username or password)
  if (error === 'invalid_request') return new InvalidGrant();
  return new AuthServerBadAnswer(`${answer.path} refused our request with ${typeof error === 'string' ? error : 'an unknown error'}`);
}
