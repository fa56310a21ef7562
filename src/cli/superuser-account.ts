import type { Account, TokenPair } from '../domain/account.js';
import { EmailTaken, InvalidGrant } from '../domain/errors.js';
import type { AuthServer } from '../ports/index.js';
import { AdminFailure } from './admin-failure.js';

/**
 * The account at an authorization server that holds accounts (embedded, DOT): signed up with the
 * server's usual password rules, or, when the email is taken, the existing one, provided this
 * password signs in to it. Either way the account is what introspecting one of its tokens names,
 * exactly as a request would find it (DOT: its username), so the mirror made from it is the one
 * the server uses. The token is revoked at once: it was only for that.
 */
export async function superuserAccount(auth: AuthServer, email: string, password: string): Promise<{ account: Account; created: boolean }> {
  let created = true;
  try {
    await auth.signUp({ email, password }); // InvalidInput for a weak password
  } catch (err) {
    if (!(err instanceof EmailTaken)) throw err;
    created = false;
  }
  let pair: TokenPair;
  try {
    pair = await auth.issueToken({ email, password, scopes: ['read'] });
  } catch (err) {
    if (!(err instanceof InvalidGrant)) throw err;
    throw new AdminFailure(created
      ? `the authorization server created ${email} but refuses its password at sign-in`
      : `${email} already has an account and this is not its password: give its password to promote it, or use grant-staff ${email}`);
  }
  try {
    const claims = await auth.introspect(pair.accessToken);
    if (!claims.active) throw new AdminFailure('the authorization server says the token it just issued is not active');
    return { account: { subject: claims.subject, email: claims.email }, created };
  } finally {
    await auth.revoke(pair.accessToken).catch(() => undefined);
  }
}
