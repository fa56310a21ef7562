// `npm start`: compiles src/ to dist/ only when the sources changed since the last build, then runs
// the server in this very process. Plain JS (no tsx) so it needs nothing compiled to run.
//
// Why one process: npm runs the script under `sh -c` and forwards SIGTERM and SIGINT to that child
// (@npmcli/run-script's signal manager). Debian's dash does not exec a lone command, so the script
// says `exec node scripts/start.mjs`: the child is then this process, which is the server, and the
// signal closes HTTP and the embedded PostgreSQL and exits 0, and npm with it. Before, the signal
// killed the shell and left node and postgres running.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'src', 'main.js');
// Its mtime is when the last successful build started: anything touched after it is newer than dist/.
const stamp = join(root, 'dist', '.build-stamp');

/** Newest mtime of src/** (directories too: deleting or renaming a file changes its directory's), tsconfig*.json, package.json. */
function newestSourceMtime() {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(join(root, 'src'));
  for (const name of readdirSync(root)) {
    if (name === 'package.json' || /^tsconfig.*\.json$/.test(name)) visit(join(root, name));
  }
  return newest;
}

function isFresh() {
  if (!existsSync(entry) || !existsSync(stamp)) return false;
  return newestSourceMtime() < statSync(stamp).mtimeMs;
}

/** What `npm run build` does. Resolves with tsc's exit code; a SIGTERM meanwhile stops tsc and exits 0. */
function build() {
  const startedAt = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  let stopping = false;
  // `on`, not `once`: a signal sent to the whole group arrives twice (npm forwards its copy too).
  const stop = (signal) => { stopping = true; child.kill(signal); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return new Promise((done) => child.once('exit', (code) => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    if (stopping) process.exit(0); // asked to stop, and nothing is left running: a clean stop
    if (code !== 0) return done(code ?? 1);
    const passwords = 'src/adapters/auth/common-passwords.txt.gz';
    mkdirSync(join(root, 'dist', dirname(passwords)), { recursive: true });
    copyFileSync(join(root, passwords), join(root, 'dist', passwords));
    writeFileSync(stamp, `built by scripts/start.mjs at ${startedAt.toISOString()}\n`);
    utimesSync(stamp, startedAt, startedAt);
    done(0);
  }));
}

if (!isFresh()) {
  const began = Date.now();
  console.error('gatehouse: compiling TypeScript (first start, or sources changed)…');
  const code = await build();
  if (code !== 0) {
    console.error(`gatehouse: the TypeScript build failed (tsc exit ${code}); not starting`);
    process.exit(code);
  }
  console.error(`gatehouse: compiled in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

const { main } = await import(pathToFileURL(entry).href);
// The same as src/main.ts does when it is run directly.
main().catch((err) => {
  console.error('gatehouse: could not start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
