import { PasswordCheckLimiter, type PasswordCheckLimits, type PasswordCheckParty, type RefusalCounts } from './password-check-limiter.js';
import { DEFAULT_COST, dummyHash, hashPassword, needsRehash, scryptParameters, verifyPassword, type ScryptParameters } from './password-hash.js';

/**
 * The embedded auth server's password hashing: scrypt at the configured cost, each hash or check
 * through one PasswordCheckLimiter, so none of them runs outside its bounds or its party's share:
 * `who` is the normalised email and, when known, the client address. @throws PasswordCheckBusy from every method.
 */
export class PasswordChecker {
  private readonly scrypt: ScryptParameters;
  /** Checked when the email is unknown, at today's cost, so an unknown email takes as long as a wrong password. */
  private readonly dummyHash: string;
  private readonly limiter: PasswordCheckLimiter;

  constructor(cost = DEFAULT_COST, limits?: PasswordCheckLimits, reportRefusals?: (refused: RefusalCounts) => void) {
    this.scrypt = scryptParameters(cost);
    this.dummyHash = dummyHash(this.scrypt);
    this.limiter = new PasswordCheckLimiter(limits, reportRefusals);
  }

  hash(who: PasswordCheckParty, password: string): Promise<string> {
    return this.limiter.run(who, () => hashPassword(password, this.scrypt));
  }

  verify(who: PasswordCheckParty, password: string, stored: string): Promise<boolean> {
    return this.limiter.run(who, () => verifyPassword(password, stored), (matches) => !matches);
  }

  /**
   * A sign-in: checks `stored` (the dummy when there is no account) and, when it matches but was
   * made with other parameters, also answers a hash with today's, to store in its place: sign-in is
   * the one moment the password is at hand.
   */
  signIn(who: PasswordCheckParty, password: string, stored: string | undefined): Promise<{ matches: boolean; rehashed?: string }> {
    return this.limiter.run(who, async () => {
      if (!(await verifyPassword(password, stored ?? this.dummyHash))) return { matches: false };
      if (!stored || !needsRehash(stored, this.scrypt)) return { matches: !!stored };
      return { matches: true, rehashed: await hashPassword(password, this.scrypt) };
    }, ({ matches }) => !matches);
  }
}
