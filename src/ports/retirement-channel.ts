/**
 * What every instance must stop trusting at once: one access token, named by the SHA-256 (hex) of
 * the token, never the token itself; or every token of a subject (after a password change).
 */
export type Retirement = { tokenHash: string } | { subject: string };

export interface RetirementListener {
  /** Some instance, this one included, retired it. */
  retired(retirement: Retirement): void;
  /** Not listening: retirements published from now on may go unheard, until `listening`. */
  deaf(): void;
  /** Listening (again). Whatever was published while deaf was missed. */
  listening(): void;
}

/** Retirements heard by every instance that shares the database, the one that published them included. */
export interface RetirementChannel {
  /** Resolves once every listening instance will hear them. @throws DatabaseUnavailable */
  publish(retirements: Retirement[]): Promise<void>;
  /** Tells `listener` from now on; calls its `deaf` at once when not listening now. Returns the unsubscribe. */
  subscribe(listener: RetirementListener): () => void;
}
