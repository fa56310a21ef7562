import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { sql } from 'kysely';
import { KyselyUserRepository } from '../../src/adapters/db/kysely-user-repository.js';
import { migrations } from '../../src/adapters/db/migrations/index.js';
import { openDatabase } from '../../src/adapters/db/open-database.js';
import { isAlive, readPidFile } from '../../src/adapters/db/postgres-process.js';
import { DatabaseUnavailable } from '../../src/domain/errors.js';
import { requireService } from '../support/availability.js';
import { freshEmbeddedDatabase, freshPostgresDatabase, postgresAvailable } from '../support/postgres.js';
import { rejectionOf } from '../support/rejection.js';

describe('the embedded PostgreSQL', function () {
  this.timeout(60_000);
  let dataDir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dataDir, cleanup } = await freshEmbeddedDatabase()));
  afterEach(() => cleanup());

  const postgresPid = async () => (await readPidFile(`${dataDir}/postgres`))?.pid;

  it('started as root inside a folder closed to others, names that folder and what to do (not a bare EACCES)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // only root hands PostgreSQL to the postgres user
    const closed = await mkdtemp(join(tmpdir(), 'gatehouse-closed-')); // 0700
    try {
      const err = await rejectionOf(openDatabase({ dataDir: join(closed, 'checkout', '.data') }));
      expect(String(err)).to.include(`cannot enter ${closed} (not open to other users)`).and.include(`chmod o+x ${closed}`);
    } finally {
      await rm(closed, { recursive: true, force: true });
    }
  });

  it('keeps its data across close and reopen, and leaves no postgres process behind', async () => {
    const first = await openDatabase({ dataDir });
    expect(first.mode).to.equal('embedded');
    await first.db.insertInto('users').values({ subject: 'kept', email: 'kept@example.com' }).execute();
    const pid = (await postgresPid())!;
    expect(isAlive(pid)).to.equal(true);
    await first.close();
    expect(isAlive(pid), 'postgres outlived close()').to.equal(false);
    const second = await openDatabase({ dataDir });
    try {
      const row = await second.db.selectFrom('users').select('email').where('subject', '=', 'kept').executeTakeFirst();
      expect(row).to.deep.equal({ email: 'kept@example.com' });
    } finally {
      await second.close();
    }
  });

  it('isolates concurrent transactions: uncommitted rows are invisible, a rollback undoes only its own', async () => {
    const { db, close } = await openDatabase({ dataDir });
    try {
      const rolledBack = await db.startTransaction().execute();
      const committed = await db.startTransaction().execute();
      await rolledBack.insertInto('users').values({ subject: 'ghost', email: 'ghost@example.com' }).execute();
      expect(await committed.selectFrom('users').select('id').where('subject', '=', 'ghost').execute()).to.have.length(0);
      await committed.insertInto('users').values({ subject: 'solid', email: 'solid@example.com' }).execute();
      await committed.commit().execute();
      await rolledBack.rollback().execute();
      const subjects = (await db.selectFrom('users').select('subject').execute()).map((r) => r.subject);
      expect(subjects).to.deep.equal(['solid']);
    } finally {
      await close();
    }
  });

  it('reports DatabaseUnavailable from ping and repositories once the server is gone', async () => {
    const database = await openDatabase({ dataDir });
    try {
      process.kill((await postgresPid())!, 'SIGINT');
      await sleep(500);
      expect(await rejectionOf(database.ping())).to.be.instanceOf(DatabaseUnavailable);
      const err = await rejectionOf(new KyselyUserRepository(database.db).mirror({ subject: 's', email: 'e@example.com' }));
      expect(err).to.be.instanceOf(DatabaseUnavailable);
      expect(err.cause).to.be.an('error');
    } finally {
      await database.close();
    }
  });

  it('starts despite a stale postmaster.pid left by a crash', async () => {
    await (await openDatabase({ dataDir })).close();
    const dead = spawn('true');
    await once(dead, 'exit');
    await writeFile(`${dataDir}/postgres/postmaster.pid`, `${dead.pid}\n${dataDir}/postgres\n1700000000\n5432\n\n127.0.0.1\n  1234 5678\nready   \n`);
    const again = await openDatabase({ dataDir });
    try {
      await again.ping();
    } finally {
      await again.close();
    }
  });

  it('does not outlive a SIGKILLed node process: the watchdog stops it within 5 s', async () => {
    const script = fileURLToPath(new URL('../support/embedded-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    while (!/postgres-pid \d+/.test(output)) {
      if (child.exitCode !== null) throw new Error(`the child exited early: ${output}`);
      await sleep(50);
    }
    const pid = Number(/postgres-pid (\d+)/.exec(output)![1]);
    expect(isAlive(pid)).to.equal(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    expect(isAlive(pid), 'postgres outlived its SIGKILLed parent').to.equal(false);
    expect(await postmastersServing(`${dataDir}/postgres`)).to.deep.equal([]);
  });

  describe('migrations', () => {
    it('apply once when three processes start on one fresh database at the same time', async function () {
      requireService(this, await postgresAvailable(), 'PostgreSQL on 127.0.0.1:5432');
      const fresh = await freshPostgresDatabase();
      try {
        const opened = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: fresh.url, dataDir })));
        const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(opened[0]!.db);
        expect(applied.rows.map((r) => r.name)).to.deep.equal(Object.keys(migrations).sort()); // each once
        await Promise.all(opened.map((o) => o.close()));
      } finally {
        await fresh.drop();
      }
    });
  });
});

/** Every live postgres process whose working directory is this cluster. */
async function postmastersServing(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const [cwd, cmd] = await Promise.all([readlink(`/proc/${entry}/cwd`).catch(() => ''), readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')]);
    if (cwd === dir && cmd.includes('postgres')) pids.push(Number(entry));
  }
  return pids;
}
