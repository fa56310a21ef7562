import { context, SpanStatusCode, trace, type Attributes, type Span, type SpanKind } from '@opentelemetry/api';
import { tracer } from './tracer.js';

/**
 * Runs `run` as the active span `name`, ended when its promise settles. A failure is recorded by
 * its type only (the domain error's code, or the error's name): messages of database errors can
 * quote the values at fault, and no value of a request belongs in a trace.
 */
export function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, run: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { kind, attributes });
  return context.with(trace.setSpan(context.active(), span), () => run(span)).then(
    (result) => { span.end(); return result; },
    (err: unknown) => { failed(span, err); span.end(); throw err; },
  );
}

export function failed(span: Span, err: unknown): void {
  const code = (err as { code?: unknown } | null)?.code;
  span.setAttribute('error.type', typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown');
  span.setStatus({ code: SpanStatusCode.ERROR });
}
