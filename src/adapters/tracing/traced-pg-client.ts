import { context, SpanKind, trace } from '@opentelemetry/api';
import type pg from 'pg';
import { inSpan } from './in-span.js';

/**
 * A pg client class whose statements, run inside a traced request, are CLIENT spans named by what
 * they do (`SELECT items`, `INSERT users`: the first keyword and the first table named), never by
 * their values: Kysely sends every value as a parameter, and parameters are never recorded (nor the
 * text, in case a statement someday inlines one). Statements outside any trace (migrations at
 * start, the pool's own) make no span.
 */
export function tracedClient(Base: typeof pg.Client): typeof pg.Client {
  return class TracedClient extends Base {
    override query(...args: unknown[]): never {
      const call = super.query as (...a: unknown[]) => never;
      const [text, , callback] = args;
      if (typeof text !== 'string' || typeof callback === 'function' || !trace.getSpan(context.active())) return call.apply(this, args);
      const { operation, table } = summaryOf(text);
      return inSpan(table ? `${operation} ${table}` : operation, SpanKind.CLIENT, {
        'db.system.name': 'postgresql', 'db.operation.name': operation, ...(table ? { 'db.collection.name': table } : {}),
      }, () => call.apply(this, args) as Promise<unknown>) as never;
    }
  } as typeof pg.Client;
}

const TABLE = /\b(?:from|into|update|join)\s+"?([a-z_][a-z0-9_]*)"?/i;
const summaries = new Map<string, { operation: string; table?: string }>();
const MAX_SUMMARIES = 256; // as many as the statement shapes the preparing client names

/**
 * `select (select … from "users" …) as owner_email from "items" …` → SELECT, items: the first
 * table named outside parentheses. A statement with no table (`select 1`, `pg_notify`) is its
 * keyword alone. Worked out once per statement text: Kysely sends the same text for the same shape.
 */
export function summaryOf(text: string): { operation: string; table?: string } {
  let summary = summaries.get(text);
  if (summary) return summary;
  let outer = text;
  for (let inner = outer.replace(/\([^()]*\)/g, ' '); inner !== outer; inner = outer.replace(/\([^()]*\)/g, ' ')) outer = inner;
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  const table = TABLE.exec(outer)?.[1];
  summary = table ? { operation, table } : { operation };
  if (summaries.size < MAX_SUMMARIES) summaries.set(text, summary);
  return summary;
}
