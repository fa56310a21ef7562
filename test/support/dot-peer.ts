import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

/** A running Django OAuth Toolkit peer (`peers/django-oauth-toolkit` in this repository) on a free loopback port. */
export interface DotPeer {
  url: string;
  port: number;
  clientId: 'rs-id';
  clientSecret: 'rs-secret';
  /** DOT_AUTHSERVER_STATE_DIR: the SQLite database, kept across `restart()`. */
  stateDir: string;
  /** gunicorn's access log (DOT_AUTHSERVER_ACCESS_LOG), unless started with `accessLog: false`. */
  accessLogFile: string | undefined;
  /** Stops gunicorn and waits for it to exit. The state survives until the test process exits, so `restart()` may follow. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port with the same state: accounts and tokens survive. */
  restart(): Promise<void>;
  /** `POST /o/introspect/` lines in the access log since the start or the last `resetCounts()`. */
  introspectionCalls(): number;
  resetCounts(): void;
  /** Every request the peer answered since it started, `"METHOD /path" STATUS traceparent=…`, from its request log. */
  requests(): string[];
}

export interface DotPeerOptions {
  /** Extra environment for the peer, e.g. `{ ACCESS_TOKEN_EXPIRE_SECONDS: '1' }`. */
  env?: Record<string, string>;
  /** Write gunicorn's access log (default true); `introspectionCalls()` needs it. */
  accessLog?: boolean;
  /** Where start.sh is (default: `dotPeerDirectory()`); a test starts a copy made from the tracked files alone. */
  directory?: string;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** The peer ships in the repository, at `<root>/peers/django-oauth-toolkit`; the root is the directory holding package.json. */
export function dotPeerDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package.json above test/support: cannot find the repo root');
    dir = parent;
  }
  return resolve(dir, 'peers', 'django-oauth-toolkit');
}

/** The Debian packages the peer runs on, one per module in PYTHON_MODULES. */
export const DOT_PEER_APT_LINE = 'apt-get install -y python3-django python3-djangorestframework python3-django-oauth-toolkit gunicorn';
const PYTHON_MODULES = ['django', 'rest_framework', 'oauth2_provider', 'gunicorn'];

/** What keeps the peer from running here, in words for a skip note; undefined when nothing does. */
export function dotPeerMissing(): string | undefined {
  const startScript = join(dotPeerDirectory(), 'start.sh');
  const problems: string[] = [];
  if (!existsSync(startScript)) {
    problems.push(`${startScript} is missing from this checkout (it is part of the repository: restore it with git)`);
  }
  // Each module imported on its own, so the note names every one that is missing, not just the first.
  const probe = 'import sys\nfor m in sys.argv[1:]:\n  try: __import__(m)\n  except Exception: print(m)';
  const python = spawnSync('/usr/bin/python3', ['-c', probe, ...PYTHON_MODULES], { encoding: 'utf8' });
  const lacking = python.error ? ['/usr/bin/python3 itself'] : python.stdout.split('\n').filter(Boolean);
  if (lacking.length) problems.push(`Python lacks ${lacking.join(', ')}; install with: ${DOT_PEER_APT_LINE}`);
  return problems.length ? problems.join('; ') : undefined;
}

let available: boolean | undefined;
/** False when the peer cannot run here; the first time, it also says why (the skip note only names the peer). */
export function dotPeerAvailable(): boolean {
  if (available === undefined) {
    const missing = dotPeerMissing();
    if (missing) console.warn(`      the DOT peer cannot run: ${missing}`);
    available = !missing;
  }
  return available;
}

export async function startDotPeer(options: DotPeerOptions = {}): Promise<DotPeer> {
  const root = await mkdtemp(join(tmpdir(), 'gatehouse-dot-peer-'));
  leftovers.add(root);
  const stateDir = join(root, 'state');
  await mkdir(stateDir);
  const accessLog = options.accessLog === false ? undefined : join(root, 'access.log');
  const requestLog = join(root, 'requests.log');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FAST_PASSWORD_HASHER: '1',
    DOT_AUTHSERVER_WORKERS: '2',
    ...options.env,
    DOT_AUTHSERVER_STATE_DIR: stateDir,
    ...(accessLog ? { DOT_AUTHSERVER_ACCESS_LOG: accessLog, DOT_AUTHSERVER_REQUEST_LOG: requestLog } : {}),
  };
  const url = `http://127.0.0.1:${port}`;
  const startScript = join(options.directory ?? dotPeerDirectory(), 'start.sh');
  let child: ChildProcess | undefined = await launch(startScript, port, env, url);
  let baseline = 0;

  // Counted from the peer's request log, written before each answer leaves: gunicorn's access log
  // comes after the answer, so a count taken as soon as a request returns could miss its line.
  const requests = (): string[] => {
    if (!accessLog) throw new Error('the request log needs startDotPeer({ accessLog: true })');
    return existsSync(requestLog) ? readFileSync(requestLog, 'utf8').split('\n').filter(Boolean) : [];
  };
  const countIntrospections = (): number => requests().filter((line) => line.startsWith('"POST /o/introspect/')).length;
  const stopChild = async () => {
    if (child) await terminate(child);
    child = undefined;
  };

  return {
    url, port, clientId: 'rs-id', clientSecret: 'rs-secret', stateDir, accessLogFile: accessLog,
    stop: stopChild,
    async restart() {
      await stopChild();
      child = await launch(startScript, port, env, url);
    },
    introspectionCalls: () => countIntrospections() - baseline,
    resetCounts() { baseline = countIntrospections(); },
    requests,
  };
}

const running = new Set<ChildProcess>();
const leftovers = new Set<string>();
// Safety net when a suite forgets stop() or mocha exits early: no gunicorn or temp dir outlives the run.
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
  for (const dir of leftovers) rmSync(dir, { recursive: true, force: true });
});

async function launch(startScript: string, port: number, env: NodeJS.ProcessEnv, url: string): Promise<ChildProcess> {
  const child = spawn(startScript, [String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  child.once('exit', (code, signal) => { exited = `exited with ${signal ?? code}`; running.delete(child); });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the DOT peer ${exited} before it was ready:\n${output}`);
    if (await answers405(`${url}/o/token/`)) return child;
    await sleep(100);
  }
  await terminate(child);
  throw new Error(`the DOT peer did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
}

async function answers405(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 405;
  } catch {
    return false;
  }
}

/** SIGTERM to the gunicorn master (start.sh exec'd it), then SIGKILL if it does not exit in time. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exit;
  clearTimeout(timer);
  running.delete(child);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
