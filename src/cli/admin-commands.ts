import { fullFormats } from 'ajv-formats/dist/formats.js';
import { normalizeEmail, type UserFlags, type UserId } from '../domain/account.js';
import type { AuthServer, Deps } from '../ports/index.js';
import { auditedFlags, setUserFlags, type UserChange } from '../use-cases/change-user.js';
import type { AdminCommand, FlagCommand } from './admin-args.js';
import { AdminFailure } from './admin-failure.js';
import { superuserAccount } from './superuser-account.js';

/** The fields of the API's 'admin change' line, with the command line as the actor. No email, no password. */
export interface AuditEntry {
  actor: 'cli';
  action: Exclude<AdminCommand['name'], 'help'>;
  target: UserId;
  before: ReturnType<typeof auditedFlags>;
  after: ReturnType<typeof auditedFlags>;
}

export interface Outcome {
  /** The one line for the operator. */
  line: string;
  audit: AuditEntry;
}

/** Where a superuser's account comes from: a server that holds accounts signs it up, or the others' users must have signed in. */
export type AccountSource =
  | { holdsAccounts: true; authServer: AuthServer; password: string }
  | { holdsAccounts: false; adapter: string };

type AdminDeps = Pick<Deps, 'users' | 'retirements'>;

const FLAGS: Record<FlagCommand, { change: Partial<UserFlags>; done: string; already: string }> = {
  'grant-staff': { change: { isStaff: true }, done: 'is now staff', already: 'was already staff' },
  'revoke-staff': { change: { isStaff: false }, done: 'is no longer staff', already: 'was not staff' },
  // Django's createsuperuser makes staff too: a superuser who is not staff could administer nothing.
  'grant-superuser': { change: { isSuperuser: true, isStaff: true }, done: 'is now a superuser (and staff)', already: 'was already a superuser and staff' },
  // The operator's way back in, so no last-superuser rule here (the API keeps one; see assertKeepsASuperuser).
  'revoke-superuser': { change: { isSuperuser: false }, done: 'is no longer a superuser (still staff if it was)', already: 'was not a superuser' },
  deactivate: { change: { isActive: false }, done: 'is deactivated: its tokens and sign-ins are refused on every instance', already: 'was already deactivated' },
  activate: { change: { isActive: true }, done: 'is active again: it can sign in', already: 'was already active' },
};

/** grant-staff, revoke-staff, grant-superuser, revoke-superuser, deactivate, activate: published like the API's changes, so every running instance acts on it at once. */
export async function changeFlags(deps: AdminDeps, command: FlagCommand, given: string): Promise<Outcome> {
  const email = normalizeEmail(given);
  const user = await deps.users.findByEmail(email);
  if (!user) {
    throw new AdminFailure(`no user with the email ${email}: Gatehouse knows an account once it has signed up or made a request through Gatehouse`);
  }
  const change = await setUserFlags(deps, user.id, FLAGS[command].change);
  const { done, already } = FLAGS[command];
  return outcome(command, change, `${email} ${sameFlags(change) ? already : done} (user ${user.id})`);
}

/** Superuser, staff and active, from an account created (or checked) at the authorization server, or from a user that has signed in. */
export async function createSuperuser(deps: AdminDeps, source: AccountSource, given: string): Promise<Outcome> {
  const email = normalizeEmail(given);
  let id: UserId;
  let how: string;
  if (source.holdsAccounts) {
    assertSignUpEmail(email);
    const { account, created } = await superuserAccount(source.authServer, email, source.password);
    id = (await deps.users.mirror(account)).id;
    how = created ? 'account created' : 'existing account';
  } else {
    const user = await deps.users.findByEmail(email);
    if (!user) {
      throw new AdminFailure(`${email} has not signed in to Gatehouse yet: with AUTH_ADAPTER=${source.adapter} the account lives at the `
        + 'authorization server and Gatehouse learns of it at its first request with a token; sign in once, then run this again');
    }
    id = user.id;
    how = 'existing user';
  }
  const change = await setUserFlags(deps, id, { isSuperuser: true, isStaff: true, isActive: true });
  return outcome('create-superuser', change, `${email} is a superuser: staff and active (user ${id}, ${how})`);
}

/** The API's rule for a sign-up's email (openapi.yaml: format email, at most 254 characters), which the embedded server leaves to it. */
export function assertSignUpEmail(given: string): void {
  const email = normalizeEmail(given);
  if (!(fullFormats.email as RegExp).test(email) || email.length > 254) throw new AdminFailure(`"${email}" is not an email address`);
}

function outcome(action: AuditEntry['action'], { before, after }: UserChange, text: string): Outcome {
  return {
    line: `gatehouse admin: ${text}`,
    audit: {
      actor: 'cli', action, target: after.id,
      before: auditedFlags(before), after: auditedFlags(after),
    },
  };
}

const sameFlags = ({ before, after }: UserChange) =>
  before.isStaff === after.isStaff && before.isActive === after.isActive && before.isSuperuser === after.isSuperuser;
