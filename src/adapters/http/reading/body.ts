import bodyParser from 'koa-bodyparser';
import type { Middleware } from 'koa';
import { InvalidInput } from '../../../domain/errors.js';
import type { AppState } from '../state.js';
import { HttpProblem } from '../answers/http-problem.js';

/** The largest body any operation needs; anything bigger is refused with 413 before it is buffered whole. */
export const BODY_LIMIT = '64kb';

/**
 * Run by `bodyOf` inside the route, after authentication and inside the route's own error renderer,
 * so a 413 or a broken JSON body on the token routes is answered in their OAuth 2 shape.
 */
export const parseBody: Middleware<AppState> = bodyParser({
  enableTypes: ['json', 'form'],
  jsonLimit: BODY_LIMIT,
  formLimit: BODY_LIMIT,
  strict: true,
}) as unknown as Middleware<AppState>;

/**
 * Parses the body into `ctx.request.body`. A body that does not decode as its Content-Encoding says
 * (zlib and brotli throw plain errors, which would be a 500) is the client's fault: 400, as is any
 * other encoding error; an encoding we do not speak is a 415 that names it.
 */
export async function readBody(ctx: Parameters<Middleware<AppState>>[0]): Promise<void> {
  try {
    await parseBody(ctx, async () => undefined);
  } catch (err) {
    const encoding = ctx.get('Content-Encoding').trim().toLowerCase() || 'identity';
    const status = (err as { status?: unknown }).status;
    if (status === 415 && /Content-Encoding/.test((err as Error).message)) {
      throw new HttpProblem('unsupported_media_type',
        'the body\'s Content-Encoding is not supported; send it as identity, gzip, deflate or br');
    }
    if (typeof status !== 'number' && encoding !== 'identity') {
      throw new HttpProblem('malformed_request', `the body does not decode as its Content-Encoding (${encoding.slice(0, 20)}) says`);
    }
    throw err;
  }
}

/** No operation's body nests deeper than a few levels; far deeper input is an attack on whatever walks it. */
export const MAX_BODY_DEPTH = 32;

/**
 * No operation's body object has more than a handful of fields. Far wider input (8,000 unknown keys
 * fit in 64 KiB) is refused here with one error, before ajv would report each key: validating and
 * answering them cost ~90 ms of CPU and a 374 KB answer.
 */
export const MAX_BODY_FIELDS = 64;

/** Iterative, so the check itself cannot overflow the stack on the input it guards against. */
export function assertShallow(body: unknown, maxDepth = MAX_BODY_DEPTH, maxFields = MAX_BODY_FIELDS): void {
  const stack: [unknown, number, string][] = [[body, 0, '']];
  while (stack.length > 0) {
    const [value, depth, pointer] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) throw new InvalidInput([{ pointer: '', message: `nests deeper than ${maxDepth} levels` }]);
    const entries = Object.entries(value);
    if (entries.length > maxFields) {
      throw new InvalidInput([{ pointer, message: `has ${entries.length} ${Array.isArray(value) ? 'elements' : 'fields'}; no operation takes more than ${maxFields}` }]);
    }
    for (const [key, child] of entries) stack.push([child, depth + 1, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
  }
}
