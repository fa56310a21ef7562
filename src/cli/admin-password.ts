import { AdminFailure } from './admin-failure.js';
import { readHidden, type Terminal } from './hidden-input.js';

const ATTEMPTS = 3;

/**
 * The new superuser's password: ADMIN_PASSWORD when set (for scripts: put it in the environment from
 * a secret store, not on a command line), else typed twice on the terminal, never echoed. Never an
 * argument, so never in the shell history or `ps`. Without a terminal and without ADMIN_PASSWORD
 * there is no safe way to ask: refused.
 */
export async function adminPassword(
  env: NodeJS.ProcessEnv, stdin: Partial<Terminal> & { isTTY?: boolean }, prompts: { write(text: string): unknown },
): Promise<string> {
  const given = env.ADMIN_PASSWORD;
  if (given) return given;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    throw new AdminFailure('no password: set ADMIN_PASSWORD, or run create-superuser on a terminal to be asked for it '
      + '(standard input is not a terminal, so the password cannot be typed without being echoed)');
  }
  const terminal = stdin as Terminal;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const password = await readHidden('Password: ', terminal, prompts);
    if (password === '') {
      prompts.write('Error: a blank password is not allowed.\n');
      continue;
    }
    if (password === await readHidden('Password (again): ', terminal, prompts)) return password;
    prompts.write("Error: your passwords didn't match.\n");
  }
  throw new AdminFailure(`no password after ${ATTEMPTS} attempts`);
}
