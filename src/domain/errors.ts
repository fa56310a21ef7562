/**
 * A field at fault: `pointer` is an RFC 6901 JSON pointer into the request body ("/price"),
 * `parameter` names a query or header parameter ("limit"). One of the two is set.
 */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  message: string;
}

/**
 * Every code a domain error may carry. Closed: a new error picks its code from here, and the HTTP
 * adapter's code → status table is a Record over this union, so a code without a status (or an
 * error without a code) does not compile.
 */
export const ERROR_CODES = [
  'invalid_input', 'invalid_grant', 'invalid_scope', 'unauthenticated', 'invalid_token', 'insufficient_scope',
  'not_owner', 'not_found', 'name_taken', 'email_taken', 'version_mismatch', 'not_supported',
  'auth_server_bad_answer', 'auth_server_unavailable', 'password_check_busy', 'database_unavailable',
  'invalid_dpop_proof', 'use_dpop_nonce', 'not_staff', 'cannot_change_self',
  'not_superuser', 'last_superuser',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  override name = this.constructor.name; // NotOwner in logs, not Error
}

export class InvalidInput extends DomainError {
  readonly code = 'invalid_input';
  constructor(readonly errors: FieldError[], message = 'the request has invalid fields') {
    super(message);
  }
}

/** Bad user credentials or an unusable refresh token (RFC 6749 §5.2 `invalid_grant`). */
export class InvalidGrant extends DomainError {
  readonly code = 'invalid_grant';
  constructor(message = 'invalid credentials given') { super(message); }
}

/** A scope outside what Gatehouse hands out (RFC 6749 §5.2 `invalid_scope`). */
export class InvalidScope extends DomainError {
  readonly code = 'invalid_scope';
  constructor(message = 'the requested scope is invalid or unknown') { super(message); }
}

/** No bearer token at all: RFC 6750 §3.1 says such a 401 carries no `error` attribute. */
export class Unauthenticated extends DomainError {
  readonly code = 'unauthenticated';
  constructor() { super('this request needs a bearer token'); }
}

export class InvalidToken extends DomainError {
  readonly code = 'invalid_token';
  constructor(message = 'the access token is invalid, expired or revoked') { super(message); }
}

/** A DPoP proof (RFC 9449) that is malformed, stale, replayed, for another request, or by a key the token is not bound to. */
export class InvalidDpopProof extends DomainError {
  readonly code = 'invalid_dpop_proof';
  constructor(message: string, options?: { cause?: unknown }) { super(message, options); }
}

/** RFC 9449 §8: the server wants a proof carrying its nonce; `nonce` goes back in the DPoP-Nonce header. */
export class UseDpopNonce extends DomainError {
  readonly code = 'use_dpop_nonce';
  constructor(readonly nonce: string) { super('use the DPoP-Nonce this server gave in the proof'); }
}

export class InsufficientScope extends DomainError {
  readonly code = 'insufficient_scope';
  constructor(readonly required: string) { super(`this request needs the "${required}" scope`); }
}

export class NotOwner extends DomainError {
  readonly code = 'not_owner';
  constructor(readonly itemId: number) { super(`item ${itemId} belongs to another user`); }
}

/** An administration operation by someone who is not staff. */
export class NotStaff extends DomainError {
  readonly code = 'not_staff';
  constructor() { super('this operation is for staff only'); }
}

/** A staff member removing their own staff flag or deactivating themselves. */
export class CannotChangeSelf extends DomainError {
  readonly code = 'cannot_change_self';
  constructor() { super('you cannot remove your own staff flag or deactivate yourself; ask another staff member'); }
}

/** A staff member who is not a superuser changing a staff member's or superuser's flags, or anyone's staff flag. */
export class NotSuperuser extends DomainError {
  readonly code = 'not_superuser';
  constructor(message: string) { super(message); }
}

/** A change that would leave no active superuser: the API keeps one, whoever asks and however requests race. */
export class LastSuperuser extends DomainError {
  readonly code = 'last_superuser';
  constructor(readonly userId: number) {
    super(`user ${userId} is the last active superuser: it cannot be demoted or deactivated; make another superuser first (npm run admin -- grant-superuser)`);
  }
}

export class NotFound extends DomainError {
  readonly code = 'not_found';
  constructor(readonly what: string, readonly id: number | string, detail = `${what} ${id} does not exist`) { super(detail); }
}

export class NameTaken extends DomainError {
  readonly code = 'name_taken';
  constructor(readonly itemName: string) { super(`an item named "${itemName}" already exists`); }
}

export class EmailTaken extends DomainError {
  readonly code = 'email_taken';
  constructor() { super('an account with this email already exists'); } // the email is not echoed: it is personal data
}

export class VersionMismatch extends DomainError {
  readonly code = 'version_mismatch';
  constructor(readonly itemId: number) { super(`item ${itemId} has changed since the version in If-Match`); }
}

/** The authorization server does not offer this operation (e.g. sign-up on a generic OAuth 2 server). */
export class NotSupported extends DomainError {
  readonly code = 'not_supported';
}

/** The authorization server answered something that cannot be understood (HTML, a broken body, a 500 page). */
export class AuthServerBadAnswer extends DomainError {
  readonly code = 'auth_server_bad_answer';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`the authorization server gave an unusable answer: ${detail}`, options);
  }
}

/** The authorization server is unreachable, timed out or answered 5xx. */
export class AuthServerUnavailable extends DomainError {
  readonly code = 'auth_server_unavailable';
  /** When known (the circuit breaker knows when it next tries the server): seconds worth waiting before a retry. */
  readonly retryAfterSeconds: number | undefined;
  constructor(detail = 'the authorization server is unavailable', options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(detail, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** Too many password hashes are running, or one for this account already is: retry after `Retry-After`. */
/** Which share of the password checks was full: one account's, one client address's, or the server's. */
export type PasswordCheckShare = 'account' | 'client' | 'server';

const BUSY: Record<PasswordCheckShare, string> = {
  account: 'a password check for this account is already running and another is waiting',
  client: 'this client address already has a password check running and another waiting',
  server: 'too many password checks are running',
};

export class PasswordCheckBusy extends DomainError {
  readonly code = 'password_check_busy';
  constructor(readonly share: PasswordCheckShare = 'server') { super(`${BUSY[share]}; retry in a few seconds`); }
}

export class DatabaseUnavailable extends DomainError {
  readonly code = 'database_unavailable';
  constructor(options?: { cause?: unknown }) { super('the database is unavailable', options); }
}
