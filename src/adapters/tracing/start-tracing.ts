/** What the composition root keeps of a started tracing SDK. */
export interface Tracing {
  /** Sends the spans still buffered; called when Gatehouse closes. */
  flush(): Promise<void>;
}

let started: Promise<Tracing> | undefined;

/**
 * Loads the OpenTelemetry SDK, with a dynamic import, and registers it as the process's tracer
 * provider, context manager and propagator. Only ever called when tracing is configured: with it
 * unset no SDK module is loaded, and the adapters' spans are not even wired (see main.ts). Once per
 * process: the global provider cannot be replaced, so a second instance in the same process (tests)
 * shares the first one's.
 */
export function startTracing(settings: { tracesUrl: string }, version: string): Promise<Tracing> {
  return (started ??= import('./otel-sdk.js').then((sdk) => sdk.registerTracing(settings, version)));
}
