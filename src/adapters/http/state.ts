import type { RouterContext } from '@koa/router';
import type { Logger } from 'pino';
import type { Caller } from '../../domain/account.js';
import type { Deps } from '../../ports/index.js';
import type { RequestValidators } from './contract/request-validator.js';
import type { ProofVerifier } from './dpop/proof.js';
import type { BodyReads } from './reading/body-reads.js';

/** ctx.state: what one request carries from middleware to route (see RequestState in app.ts). */
export interface AppState {
  requestId: string;
  log: Logger;
  caller?: Caller;
  /** The contract operation the request was routed to (operationId, path template), for its trace span. */
  operation?: { id: string; path: string };
  /** How errors are answered, set by the operation's route (see contract/operation-table.ts); problem+json when unset. */
  errorShape?: 'oauth' | 'problem';
  /** The Authorization scheme the request used, so a refusal's error goes on that challenge. */
  authScheme?: 'bearer' | 'dpop';
}

export type Ctx = RouterContext<AppState>;

/** What the routes are built with, once, at start-up. */
export interface RouteDeps {
  deps: Deps;
  validators: RequestValidators;
  /** PUBLIC_URL, without a trailing slash: absolute links start with it (and DPoP proofs' htu). */
  publicUrl: string;
  /** Checks DPoP proofs (RFC 9449), at the resource and at the token endpoints. */
  dpop: ProofVerifier;
  /** Admits request bodies to be read, within the per-client and total caps. */
  bodyReads: BodyReads;
}
