import { trace, context } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

/**
 * A child of `logger` whose every line written inside a traced request carries `trace_id` and
 * `span_id` (of the span active when the line is written), so a log line leads to its trace and
 * back. pino takes a mixin only at creation; its exported symbols are how a child gets one, and
 * children of this child inherit it. Lines outside any span are written as before.
 */
export function withTraceIds(logger: Logger): Logger {
  const child = logger.child({});
  (child as unknown as Record<symbol, unknown>)[pino.symbols.mixinSym] = traceIds;
  return child;
}

function traceIds(): object {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
