/**
 * Where DPoP proofs' jtis are remembered (RFC 9449 §11.1), so a proof replayed on any instance is
 * refused. Every instance must see the same store: PostgreSQL, or Redis when REDIS_URL is set.
 */
export interface ProofReplayStore {
  /** true the first time `key` is seen before `expiresAt`, false every later time, on any instance. */
  firstUse(key: string, expiresAt: Date): Promise<boolean>;
}
