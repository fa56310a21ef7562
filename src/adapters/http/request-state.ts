import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { AppState } from './state.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/; // echoed into logs and headers, so nothing that could forge a line

/** The request's X-Request-Id when it is one we may echo, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * ctx.state, one object of one shape per request: no closure or accessor defined per request.
 * A child logger only for requests that log more than their one line: most never do.
 */
export class RequestState implements AppState {
  caller?: AppState['caller'];
  operation?: AppState['operation'];
  errorShape?: AppState['errorShape'];
  authScheme?: AppState['authScheme'];
  #child: Logger | undefined;
  constructor(readonly requestId: string, private readonly logger: Logger) {}
  get log(): Logger {
    return (this.#child ??= this.logger.child({ requestId: this.requestId }));
  }
}
