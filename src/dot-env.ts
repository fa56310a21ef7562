import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './env.js';

/** What a `.env` file gave: the settings it set, and those it named but the environment already had. */
export interface DotEnv {
  env: NodeJS.ProcessEnv;
  fromFile: string[];
  overridden: string[];
}

/**
 * The environment with the settings of a `.env` file added, when the file exists; a variable the
 * environment already has wins over the file (as `process.loadEnvFile` does), so
 * `PORT=9000 npm start` overrides a `.env` that says 8001. Values are Node's own parser's
 * (`util.parseEnv`: quotes, `export`, `#` comments), but that parser skips or misreads a line it
 * cannot parse, so each line is checked first and a bad one stops the start with its line number.
 * The offending text is never echoed: the file usually holds secrets.
 */
export function withDotEnv(env: NodeJS.ProcessEnv, path = '.env'): DotEnv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { env, fromFile: [], overridden: [] };
    throw new ConfigError(`${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  checkLines(text, path);
  const merged: NodeJS.ProcessEnv = { ...env };
  const fromFile: string[] = [];
  const overridden: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] !== undefined) { overridden.push(name); continue; }
    merged[name] = value;
    fromFile.push(name);
  }
  return { env: merged, fromFile: fromFile.sort(), overridden: overridden.sort() }; // parseEnv keeps no order
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/;

/** Every line is blank, a `#` comment, or NAME=value; a quoted value may run over several lines, and must end. */
function checkLines(text: string, path: string): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      throw new ConfigError(`${path} line ${i + 1} is not NAME=value (a name of letters, digits and _, then =)`);
    }
    const value = match[2]!.trim();
    const quote = value[0];
    if (quote !== '"' && quote !== "'" && quote !== '`') continue;
    let end = i;
    while (end < lines.length && !(end === i ? value.slice(1) : lines[end]!).includes(quote)) end++;
    if (end === lines.length) throw new ConfigError(`${path} line ${i + 1}: the quoted value of ${match[1]} never ends (no closing ${quote})`);
    i = end;
  }
}
