import { chmod, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Started as root, the embedded PostgreSQL runs as the `postgres` user (see postgresUser), who must
 * be able to enter the folders above its binaries and its cluster: what it may enter, and what we
 * open for it (only the data dir's parent; the folders above are the operator's).
 */

/** The postgres user must be able to pass through the data dir (mkdtemp makes it 0700) into its cluster. */
export async function allowTraversal(parent: string): Promise<void> {
  const { mode } = await stat(parent);
  if ((mode & 0o001) === 0) await chmod(parent, (mode & 0o7777) | 0o001);
}

/**
 * Started as root, PostgreSQL runs as `postgres`, who must pass through every folder above its
 * binaries and its data. A checkout in a private folder (a 0700 home or temp dir) would otherwise
 * fail with a bare `spawn … EACCES`; the folders above the data dir's parent are the operator's, so
 * they are named rather than opened.
 */
export async function mustBeReachableByPostgres(path: string): Promise<void> {
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    if (((await stat(folder)).mode & 0o001) === 0) {
      throw new Error(`started as root, the embedded PostgreSQL runs as the user postgres, who cannot enter ${folder} `
        + `(not open to other users) to reach ${path}: run \`chmod o+x ${folder}\`, keep the checkout and DATA_DIR `
        + 'in folders others may enter, run as another user, or set DATABASE_URL');
    }
  }
}
