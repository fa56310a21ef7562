/** A pair by its hashes; `expiresIn` is the access token's lifetime in seconds. */
export interface HashedPair { tokenHash: string; refreshHash: string; expiresIn: number }

/** What every instance knows of a remote server's tokens, shared through the database. Every method may throw DatabaseUnavailable. */
export interface TokenLedger {
  /** An access token by hash: the subject an introspection named (null before any did), and whether it was retired. */
  find(tokenHash: string): Promise<{ subject: string | null; retired: boolean } | undefined>;
  /** True when the pair this refresh token came with was retired. */
  refreshRetired(refreshHash: string): Promise<boolean>;
  /** An introspection named the token's subject (it wins over what was recorded); kept until `exp` at least. */
  introspected(tokenHash: string, subject: string, exp: Date): Promise<void>;
  /** A pair handed out through Gatehouse, to `subject` when known. */
  issued(pair: HashedPair, subject?: string): Promise<void>;
  /** `refreshHash` was spent for `pair`: its access token is retired on every instance, and `pair` inherits what was known of it. */
  refreshed(refreshHash: string, pair: HashedPair): Promise<void>;
  /**
   * The pair an access token (by its hash) or a refresh token (by its hash) belongs to is refused
   * from now on; resolves to its access token's hash, when the ledger knows the pair.
   */
  retire(hash: string): Promise<string | undefined>;
  /** Every token of `subject` the instances have seen is refused from now on, and every instance is told. */
  retireSubject(subject: string): Promise<void>;
}
