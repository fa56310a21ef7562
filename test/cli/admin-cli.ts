import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The settings a child must not inherit from whoever runs the tests: each test says what it runs against. */
const GATEHOUSE_SETTINGS = /^(AUTH_|DATABASE_URL$|DATA_DIR$|ADMIN_PASSWORD$|PASSWORD_HASH_COST$|LOG_LEVEL$|PORT$|HOST$|WORKERS$)/;

export function childEnv(env: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !GATEHOUSE_SETTINGS.test(e[0])));
  return { ...base, ...env };
}

/** A program of src/ (`main.ts`, `cli/admin.ts`) run with tsx as `npm run dev` runs the server, stdout ignored: its exit code and stderr. */
export function runSource(entry: string, args: string[], cwd: string, env: Record<string, string>, tsx = 'tsx'): Promise<{ code: number | null; stderr: string }> {
  // `--import tsx` is resolved from `cwd`: a caller running elsewhere than the checkout passes tsx's resolved URL.
  const child = spawn(process.execPath, ['--import', tsx, entry, ...args], { cwd, env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

/** The command as `npm run admin --` runs it, minus npm (tsx in-process, as the script line does). */
export const ADMIN_COMMAND = [process.execPath, '--import', 'tsx', 'src/cli/admin.ts'];

export interface AuditLine {
  actor: string;
  action: string;
  target: number;
  before: { is_staff: boolean; is_active: boolean; is_superuser: boolean };
  after: { is_staff: boolean; is_active: boolean; is_superuser: boolean };
}

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The JSON audit line as written. */
  auditText?: string;
  audit?: AuditLine;
  /** The one line for the operator, on success. */
  line?: string;
  ms: number;
}

/** Runs the command line as a child process, stdin not a terminal (/dev/null), and collects what it said. */
export function runAdmin(args: string[], env: Record<string, string>, options: { viaNpm?: boolean } = {}): Promise<AdminRun> {
  const [command, ...prefix] = options.viaNpm ? ['npm', 'run', '--silent', 'admin', '--'] : ADMIN_COMMAND;
  const started = performance.now();
  const child = spawn(command!, [...prefix, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(parseRun(code, stdout, stderr, performance.now() - started)));
  });
}

export function parseRun(code: number | null, stdout: string, stderr: string, ms: number): AdminRun {
  const lines = stdout.split(/\r?\n/);
  const auditText = lines.find((l) => l.startsWith('{') && l.includes('"admin change"'));
  const line = lines.find((l) => l.startsWith('gatehouse admin: '));
  return { code, stdout, stderr, ms, ...(auditText ? { auditText, audit: JSON.parse(auditText).audit } : {}), ...(line ? { line } : {}) };
}

/**
 * Runs the command line on a pseudo-terminal (test/cli/pty-run.py, Python's pty module), typing each
 * reply once its prompt has appeared. Answers what the terminal showed: echoes included, if any.
 */
export function runOnTerminal(python: string, args: string[], env: Record<string, string>, answers: [prompt: string, reply: string][]): Promise<AdminRun> {
  const started = performance.now();
  const child = spawn(python, [join(ROOT, 'test/cli/pty-run.py'), ...ADMIN_COMMAND, ...args], {
    cwd: ROOT, env: childEnv(env), stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(JSON.stringify(answers));
  let shown = '';
  child.stdout.on('data', (chunk) => { shown += chunk; });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(parseRun(code, shown, '', performance.now() - started)));
  });
}
