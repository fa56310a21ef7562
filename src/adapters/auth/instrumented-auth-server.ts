import { DomainError } from '../../domain/errors.js';
import type { AuthServer } from '../../ports/auth-server.js';
import { aroundEachCall } from './around-each-call.js';

/** Told about every call that reaches the server: which method, how long, and the error code if it threw. */
export type AuthCallObserver = (call: keyof AuthServer, seconds: number, failure?: string) => void;

/**
 * Times each call to the wrapped server for metrics. It sits right around the adapter, under the
 * circuit breaker and the cache, so it sees only calls that really go out.
 */
export function withInstrumentation(inner: AuthServer, observe: AuthCallObserver): AuthServer {
  const timed = <T>(call: keyof AuthServer, run: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    return run().then(
      (result) => { observe(call, seconds()); return result; },
      (err: unknown) => { observe(call, seconds(), err instanceof DomainError ? err.code : 'unexpected'); throw err; },
    );
  };
  return aroundEachCall(inner, timed);
}
