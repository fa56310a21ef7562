import { trace } from '@opentelemetry/api';

/**
 * Gatehouse's tracer. A proxy until startTracing registers the SDK's provider, then the real one;
 * never used on a request unless tracing is configured, since the spans below are wired only then.
 */
export const tracer = trace.getTracer('gatehouse');
