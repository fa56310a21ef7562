import { UsageError } from './admin-failure.js';

export const FLAG_COMMANDS = ['grant-staff', 'revoke-staff', 'grant-superuser', 'revoke-superuser', 'deactivate', 'activate'] as const;
export type FlagCommand = (typeof FLAG_COMMANDS)[number];

export type AdminCommand =
  | { name: 'create-superuser'; email: string }
  | { name: FlagCommand; email: string }
  | { name: 'help' };

export const USAGE = `usage: npm run admin -- <command>

  create-superuser --email EMAIL   create (or promote) a superuser, staff and active; the password
                                   comes from ADMIN_PASSWORD, else it is asked twice on the terminal
  grant-staff EMAIL                make a user staff
  revoke-staff EMAIL               take the staff flag away
  grant-superuser EMAIL            make a user a superuser (and staff): it may then change staff
  revoke-superuser EMAIL           take the superuser flag away (the user stays staff)
  deactivate EMAIL                 refuse the user's tokens and sign-ins on every instance, at once
  activate EMAIL                   let a deactivated user in again

Settings come from the same environment as the server (AUTH_ADAPTER, DATABASE_URL, DATA_DIR, ...),
and from .env in the working directory for what the environment does not set.`;

/** The words after `npm run admin --`. The email is an option or a positional word for every command, as the operator prefers. */
export function parseAdminArgs(argv: readonly string[]): AdminCommand {
  const [name, ...rest] = argv;
  // Asked for, the usage is the answer (stdout, exit 0); missing, it is a mistake (stderr, exit 2), so a script that forgot the command fails.
  if (name === 'help' || name === '--help' || name === '-h') return { name: 'help' };
  if (name === undefined) throw new UsageError('no command given');
  if (name !== 'create-superuser' && !(FLAG_COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command "${name}"`);
  }
  const emails: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === '--email') {
      const value = rest[++i];
      if (value === undefined) throw new UsageError('--email needs a value');
      emails.push(value);
    } else if (word.startsWith('--email=')) {
      emails.push(word.slice('--email='.length));
    } else if (word.startsWith('-')) {
      // Never a --password option: a password on the command line lands in the shell history and in ps.
      throw new UsageError(`unknown option "${word}"${/pass/i.test(word) ? ' (the password comes from ADMIN_PASSWORD or the prompt, never the command line)' : ''}`);
    } else {
      emails.push(word);
    }
  }
  const email = emails[0]?.trim();
  if (emails.length !== 1 || !email) throw new UsageError(`${name} needs exactly one email`);
  return { name: name as FlagCommand | 'create-superuser', email };
}
