/** Local user id: Gatehouse's own, stable across auth servers' ids. */
export type UserId = number;

export interface User {
  id: UserId;
  email: string;
}

/** Gatehouse's own flags on a user, whichever authorization server owns the account. */
export interface UserFlags {
  /** Staff administer users and may change or delete any item. */
  isStaff: boolean;
  /** A deactivated user's tokens are refused and no new ones are handed out through Gatehouse. */
  isActive: boolean;
  /** Superusers also change the flags of staff and of other superusers (Django's is_superuser); set from the command line only. */
  isSuperuser: boolean;
}

/** A user as authentication finds it: who, and what they may do. */
export type Member = User & UserFlags;

/** A user as staff see it. */
export interface UserRecord extends Member {
  dateJoined: Date;
  lastSeen: Date | null;
}

/** An account as the authorization server knows it: `subject` is its identity there (DOT: the username). */
export interface Account {
  subject: string;
  email: string;
}

/**
 * The address a request came from (the socket's peer, or the one a trusted proxy reported). The
 * embedded server shares its password checks fairly between addresses; other servers ignore it.
 */
export type ClientAddress = string;

export interface SignUp {
  email: string;
  password: string;
  client?: ClientAddress;
}

/**
 * A DPoP proof (RFC 9449) sent to a token endpoint, whose claims fit the request: `confirm` checks
 * its signature and spends its jti, then gives the key's thumbprint. A server that can bind tokens
 * calls it only once the credentials are good, so wrong credentials cost no signature check, and
 * the thumbprint comes only from a confirmed proof. @throws InvalidDpopProof
 */
export interface ProofOfPossession {
  confirm(): Promise<string>;
}

export interface Credentials {
  email: string;
  password: string;
  scopes: Scope[];
  /** A DPoP proof sent with the grant: a server that can bind tokens binds the pair to its key. */
  proof?: ProofOfPossession;
  client?: ClientAddress;
}

export interface PasswordChange {
  oldPassword: string;
  password: string;
  client?: ClientAddress;
}

/** RFC 7009 §2.1: which kind of token a client says it is revoking; a hint, not a promise. */
export type TokenTypeHint = 'access_token' | 'refresh_token';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scopes: Scope[];
  /** The thumbprint of the DPoP key the pair is bound to (token_type DPoP); absent for bearer tokens. */
  boundTo?: string;
}

/**
 * RFC 7662 reduced to what Gatehouse uses. `exp` is in Unix seconds. `jkt` (RFC 9449 §6, the
 * `cnf.jkt` confirmation) is the thumbprint of the key a sender-constrained token is bound to.
 * Inactive is an answer, not an error.
 */
export type Introspection =
  | { active: false }
  | { active: true; subject: string; email: string; scopes: string[]; exp: number; jkt?: string };

import { CannotChangeSelf, InvalidInput, NotStaff } from './errors.js';

export { SCOPES, type Scope } from './scopes.js';
import type { Scope } from './scopes.js';

/** Emails are one account regardless of letter case (RFC 5321 allows case-sensitive local parts; no real provider uses them). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Who is calling: the result of authenticating a bearer token. */
export interface Caller {
  user: Member;
  subject: string;
  scopes: ReadonlySet<string>;
  /** The bearer token itself: needed to act for the caller at the auth server. Never log it. */
  token: string;
}

/** A new password is typed twice (sign-up, password change) to catch typos: Django's message, on the second field. */
export function assertPasswordsMatch(password: string, password2: string): void {
  if (password !== password2) {
    throw new InvalidInput([{ pointer: '/password2', message: 'Password fields did not match' }]);
  }
}

/** Administration is for staff only, whatever scopes their token has. */
export function assertStaff(caller: Caller): void {
  if (!caller.user.isStaff) throw new NotStaff();
}

/**
 * A staff member cannot remove their own staff flag or deactivate themselves: there must always be
 * a way back in that does not go through the database.
 */
export function assertNotLockingOut(caller: Caller, targetId: UserId, change: Partial<UserFlags>): void {
  if (targetId === caller.user.id && (change.isStaff === false || change.isActive === false)) throw new CannotChangeSelf();
}
