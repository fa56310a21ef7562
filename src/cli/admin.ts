// `npm run admin -- <command>`: the operator's command line for staff administration (see USAGE).
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { DotAuthServer } from '../adapters/auth/dot-auth-server.js';
import { EmbeddedAuthServer } from '../adapters/auth/embedded-auth-server.js';
import { KyselyEmbeddedAccounts } from '../adapters/db/kysely-embedded-accounts.js';
import { KyselyUserRepository } from '../adapters/db/kysely-user-repository.js';
import { PostgresRetirementChannel } from '../adapters/db/postgres-retirement-channel.js';
import type { AuthSettings } from '../auth-settings.js';
import { ConfigError, loadConfig } from '../config.js';
import { withDotEnv } from '../dot-env.js';
import { AdminFailure, Interrupted, UsageError } from './admin-failure.js';
import { parseAdminArgs, USAGE } from './admin-args.js';
import { assertSignUpEmail, changeFlags, createSuperuser, type AccountSource, type Outcome } from './admin-commands.js';
import { openAdminDatabase } from './admin-database.js';
import { adminPassword } from './admin-password.js';
import { describeFailure } from './describe-failure.js';

export interface AdminIo {
  stdin: NodeJS.ReadStream;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Runs one command; answers the exit code: 0 done, 1 failed (one line on stderr saying why),
 * 2 a bad command line or setting, 130 cancelled at the prompt. On success stdout gets the audit
 * line (JSON, the fields of the API's 'admin change' line) and then one line for the operator.
 */
export async function runAdmin(argv: readonly string[], env: NodeJS.ProcessEnv, io: AdminIo): Promise<number> {
  const fail = (message: string, code: number) => { io.stderr.write(`gatehouse admin: ${message}\n`); return code; };
  try {
    const command = parseAdminArgs(argv);
    if (command.name === 'help') { io.stdout.write(`${USAGE}\n`); return 0; }
    const settings = withDotEnv(env).env; // the server's settings, .env included
    const config = loadConfig(settings);
    const diagnostics = pino({ level: config.logLevel }, io.stderr).child({ component: 'admin' });
    const holdsAccounts = config.auth.adapter === 'embedded' || config.auth.adapter === 'dot';
    // Checked and asked before anything starts: a refusal is instant, and the prompt does not wait on PostgreSQL.
    if (command.name === 'create-superuser' && holdsAccounts) assertSignUpEmail(command.email);
    const password = command.name === 'create-superuser' && holdsAccounts ? await adminPassword(settings, io.stdin, io.stderr) : undefined;
    const database = await openAdminDatabase(config, (msg) => diagnostics.debug(msg));
    diagnostics.debug(`reached ${database.reached}`);
    try {
      // Published on the pool, like the API's changes; this process listens to nothing, so the channel is never started.
      const deps = {
        users: new KyselyUserRepository(database.db, { lastSeenEveryMs: Infinity }), // the command line is not the user being seen
        retirements: new PostgresRetirementChannel({ connectionString: database.url, db: database.db, log: diagnostics }),
      };
      const outcome: Outcome = command.name === 'create-superuser'
        ? await createSuperuser(deps, accountSource(config.auth, database.db, password), command.email)
        : await changeFlags(deps, command.name, command.email);
      pino({}, io.stdout).info({ component: 'admin', audit: outcome.audit }, 'admin change'); // pid and hostname, like the server's lines
      io.stdout.write(`${outcome.line}\n`);
      return 0;
    } finally {
      await database.close();
    }
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message}\n\n${USAGE}`, 2);
    if (err instanceof ConfigError) return fail(err.message, 2);
    if (err instanceof Interrupted) return fail(err.message, 130);
    if (err instanceof AdminFailure) return fail(err.message, 1);
    return fail(describeFailure(err), 1);
  }
}

function accountSource(auth: AuthSettings, db: ConstructorParameters<typeof KyselyEmbeddedAccounts>[0], password: string | undefined): AccountSource {
  switch (auth.adapter) {
    case 'embedded':
      return { holdsAccounts: true, password: password!, authServer: new EmbeddedAuthServer(new KyselyEmbeddedAccounts(db), { passwordHashCost: auth.passwordHashCost }) };
    case 'dot':
      return { holdsAccounts: true, password: password!, authServer: new DotAuthServer({
        baseUrl: auth.url, clientId: auth.clientId, clientSecret: auth.clientSecret, timeoutMs: auth.timeoutMs,
      }) };
    case 'oauth2':
    case 'jwt':
      return { holdsAccounts: false, adapter: auth.adapter };
    default:
      return unknownAdapter(auth);
  }
}

function unknownAdapter(auth: never): never {
  throw new Error(`no adapter for ${JSON.stringify(auth)}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runAdmin(process.argv.slice(2), process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  process.exit(code); // the DOT client's keep-alive agent would otherwise hold the process open
}
