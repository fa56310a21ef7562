// `npm run admin -- <command>`: the operator's command line for staff administration (see USAGE).
import { pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { KyselyUserRepository } from '../adapters/db/kysely-user-repository.js';
import { PostgresRetirementChannel } from '../adapters/db/postgres-retirement-channel.js';
import { buildAuthServer, holdsAccounts } from '../auth-stack.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { withDotEnv } from '../dot-env.js';
import type { RetirementChannel } from '../ports/index.js';
import { AdminFailure, Interrupted, UsageError } from './admin-failure.js';
import { parseAdminArgs, USAGE } from './admin-args.js';
import { assertSignUpEmail, changeFlags, createSuperuser, type AccountSource, type Outcome } from './admin-commands.js';
import { openAdminDatabase, type AdminDatabase } from './admin-database.js';
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
    const signsUp = holdsAccounts(config.auth);
    // Checked and asked before anything starts: a refusal is instant, and the prompt does not wait on PostgreSQL.
    if (command.name === 'create-superuser' && signsUp) assertSignUpEmail(command.email);
    const password = command.name === 'create-superuser' && signsUp ? await adminPassword(settings, io.stdin, io.stderr) : undefined;
    const database = await openAdminDatabase(config, (msg) => diagnostics.debug(msg));
    diagnostics.debug(`reached ${database.reached}`);
    try {
      // Published on the pool, like the API's changes; this process listens to nothing, so the channel is never started.
      const deps = {
        users: new KyselyUserRepository(database.db, { lastSeenEveryMs: Infinity }), // the command line is not the user being seen
        retirements: new PostgresRetirementChannel({ connectionString: database.url, db: database.db, log: diagnostics }),
      };
      const outcome: Outcome = command.name === 'create-superuser'
        ? await createSuperuser(deps, accountSource(config, { ...deps, db: database.db, log: diagnostics }, password), command.email)
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

/** The server's own authorization-server stack, built the same way; an adapter that holds no accounts is only named. */
function accountSource(config: Config, parts: { db: AdminDatabase['db']; retirements: RetirementChannel; log: Logger }, password: string | undefined): AccountSource {
  if (!holdsAccounts(config.auth)) return { holdsAccounts: false, adapter: config.auth.adapter };
  const { authServer } = buildAuthServer(config, { db: parts.db, channel: parts.retirements, log: parts.log });
  return { holdsAccounts: true, password: password!, authServer };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runAdmin(process.argv.slice(2), process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  process.exit(code); // the DOT client's keep-alive agent would otherwise hold the process open
}
