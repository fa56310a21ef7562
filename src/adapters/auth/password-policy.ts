import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { normalizePassword } from './password-hash.js';

/**
 * Django's default password validators, message for message, so the embedded and DOT adapters
 * accept and refuse the same sign-ups. (UserAttributeSimilarityValidator is in Django's defaults
 * too, but the DOT peer runs it without a user, so it never fires there; it is left out here.)
 * They judge the NFKC form, the one that is hashed: a fullwidth `ｐａｓｓｗｏｒｄ` is `password`.
 */
export async function passwordProblems(given: string): Promise<string[]> {
  const password = normalizePassword(given);
  const problems: string[] = [];
  if ([...password].length < MIN_LENGTH) { // Python's len() counts code points, not UTF-16 units
    problems.push(`This password is too short. It must contain at least ${MIN_LENGTH} characters.`);
  }
  if ((await commonPasswords()).has(password.toLowerCase().trim())) problems.push('This password is too common.');
  if (PYTHON_ISDIGIT.test(password)) problems.push('This password is entirely numeric.');
  return problems;
}

const MIN_LENGTH = 8;

// Python's str.isdigit(): decimal digits (Nd) plus the characters with Numeric_Type=Digit
// (superscripts, circled digits…), listed from Python 3.11's Unicode 14 tables.
const PYTHON_ISDIGIT = new RegExp('^[\\p{Nd}\\u{B2}-\\u{B3}\\u{B9}\\u{1369}-\\u{1371}\\u{19DA}\\u{2070}\\u{2074}-\\u{2079}'
  + '\\u{2080}-\\u{2089}\\u{2460}-\\u{2468}\\u{2474}-\\u{247C}\\u{2488}-\\u{2490}\\u{24EA}\\u{24F5}-\\u{24FD}\\u{24FF}'
  + '\\u{2776}-\\u{277E}\\u{2780}-\\u{2788}\\u{278A}-\\u{2792}\\u{10A40}-\\u{10A43}\\u{10E60}-\\u{10E68}'
  + '\\u{11052}-\\u{1105A}\\u{1F100}-\\u{1F10A}]+$', 'u');

let loaded: Promise<Set<string>> | undefined;

/** Django's list (20 000 passwords, from python3-django), read once on first use. */
function commonPasswords(): Promise<Set<string>> {
  loaded ??= readFile(listPath()).then((gz) => new Set(gunzipSync(gz).toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean)));
  return loaded;
}

function listPath(): string {
  const beside = fileURLToPath(new URL('./common-passwords.txt.gz', import.meta.url));
  // tsc does not copy data files: compiled code under dist/ reads the one in src/.
  const inSource = fileURLToPath(new URL('../../../../src/adapters/auth/common-passwords.txt.gz', import.meta.url));
  return existsSync(beside) ? beside : inSource;
}
