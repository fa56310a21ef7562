/** An account of the embedded authorization server; `id` is its subject. */
export interface StoredAccount { id: number; passwordHash: string }

/** A token pair as kept: hashes (SHA-256, hex) only, never a token. */
export interface StoredPair {
  accessHash: string;
  refreshHash: string;
  accountId: number;
  /** Space-separated, as granted. */
  scopes: string;
  expiresAt: Date;
  /** The DPoP key the pair is bound to (RFC 9449 §5), or null. */
  jkt: string | null;
  /** The sign-in the pair descends from: a refresh keeps it, so one revocation reaches every rotation. */
  family: string;
}

/** What a spent refresh token's pair hands on to the pair that replaces it. */
export type SpentPair = Pick<StoredPair, 'accessHash' | 'accountId' | 'scopes' | 'jkt' | 'family'>;

/** An access token neither revoked nor expired, with its account's address. */
export type ActiveToken = Pick<StoredPair, 'accountId' | 'scopes' | 'expiresAt' | 'jkt'> & { email: string };

/** What is known of a refresh token that could not be spent. */
export interface RefreshHistory {
  accountId: number;
  family: string;
  /** Spent by a rotation; `revokedAt` is then the moment of that rotation. */
  refreshUsed: boolean;
  revokedAt: Date | null;
}

/**
 * The embedded authorization server's accounts and token pairs, shared by every instance. Every
 * revocation is published on the retirement channel in the same transaction, so every instance
 * hears of it when it commits. Every method may throw DatabaseUnavailable.
 */
export interface EmbeddedAccounts {
  /** Resolves to undefined when the (normalized) address is taken. */
  createAccount(email: string, passwordHash: string): Promise<{ id: number; email: string } | undefined>;
  accountByEmail(email: string): Promise<StoredAccount | undefined>;
  /** @throws when there is no such account (a token's account is never deleted) */
  accountById(id: number): Promise<StoredAccount>;
  /** A stronger hash of the same password, kept unless a password change got there first. */
  rehash(accountId: number, oldHash: string, newHash: string): Promise<void>;
  /** A new password: every token of the account revoked at `at`, and its subject retired. */
  changePassword(accountId: number, passwordHash: string, at: Date): Promise<void>;
  addPair(pair: StoredPair): Promise<void>;
  /**
   * Spends a refresh token (revoked at `at`) and keeps the pair `replace` makes of it, in one
   * transaction: of two concurrent rotations only one gets there. Resolves to undefined when the
   * token could not be spent (unknown, revoked or rotated already); `replace` throwing (or
   * rejecting: it may check something first, such as a DPoP proof) undoes the spend.
   */
  rotate<T>(refreshHash: string, at: Date, replace: (spent: SpentPair) => Promise<{ pair: StoredPair; answer: T }>): Promise<T | undefined>;
  /** An access token's pair, or a refresh token's whole family; an unknown hash is no error. */
  revoke(tokenHash: string, at: Date): Promise<void>;
  /** Revokes every pair of the family not revoked yet; resolves to how many. */
  revokeFamily(family: string, at: Date): Promise<number>;
  activeToken(accessHash: string, now: Date): Promise<ActiveToken | undefined>;
  refreshHistory(refreshHash: string): Promise<RefreshHistory | undefined>;
  ping(): Promise<void>;
}
