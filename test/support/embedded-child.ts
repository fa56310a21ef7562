// Opens the embedded PostgreSQL in <dataDir>, prints the postgres pid, then waits to be killed.
import { openDatabase } from '../../src/adapters/db/open-database.js';
import { readPidFile } from '../../src/adapters/db/postgres-process.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-child.ts <dataDir>');
await openDatabase({ dataDir });
const lock = await readPidFile(`${dataDir}/postgres`);
process.stdout.write(`postgres-pid ${lock?.pid}\n`);
setInterval(() => undefined, 60_000);
