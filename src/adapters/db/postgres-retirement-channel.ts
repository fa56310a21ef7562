import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Retirement, RetirementChannel, RetirementListener } from '../../ports/retirement-channel.js';
import { guarded } from './db-errors.js';

/** Retirements are rare (a revocation, a password change): their spans use the API's tracer, a no-op unless tracing is on. */
const tracer = trace.getTracer('gatehouse');
const MESSAGING = { 'messaging.system': 'postgresql', 'messaging.destination.name': 'gatehouse_retirements' };

/** One channel per database: NOTIFY never crosses databases, so deployments sharing a server stay apart. */
export const RETIREMENTS = 'gatehouse_retirements';
/** Shown in pg_stat_activity; a test cuts exactly this connection by it. */
export const LISTENER_APPLICATION_NAME = 'gatehouse-retirements';

export interface RetirementChannelSettings {
  connectionString: string;
  /** The pool, for publishing: the listening connection is never used for anything else. */
  db: Kysely<any>;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  /** Delay before the first reconnection attempt, doubled at each failure up to `maxMs`. */
  backoff?: { firstMs: number; maxMs: number };
  /** A query on the idle listening connection this often, which must answer within `timeoutMs`: a connection that died silently is found. */
  heartbeat?: { everyMs: number; timeoutMs: number };
}

/**
 * Sends retirements as PostgreSQL NOTIFY payloads, `token:<sha256 hex>` or `subject:<subject>`
 * (8000 bytes at most each). Inside a transaction they go out at commit, and not at all on
 * rollback: a retirement is heard exactly when it is true in the database.
 */
export async function notifyRetirements(db: Kysely<any>, retirements: Retirement[]): Promise<void> {
  if (retirements.length === 0) return;
  const payloads = retirements.map((r) => ('tokenHash' in r ? `token:${r.tokenHash}` : `subject:${r.subject}`));
  await sql`select pg_notify(${RETIREMENTS}, p) from unnest(${payloads}::text[]) as p`.execute(db);
}

/**
 * LISTENs on a connection of its own, outside the pool (a pooled connection would be handed to
 * queries and returned without the LISTEN mattering to anyone). When that connection drops, or
 * stops answering the heartbeat, listeners are told `deaf`, and it reconnects with backoff; once
 * it LISTENs again they are told `listening`.
 */
export class PostgresRetirementChannel implements RetirementChannel {
  private readonly listeners = new Set<RetirementListener>();
  private readonly backoff: { firstMs: number; maxMs: number };
  private readonly heartbeat: { everyMs: number; timeoutMs: number };
  private client: pg.Client | undefined;
  private isListening = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private beat: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly settings: RetirementChannelSettings) {
    this.backoff = settings.backoff ?? { firstMs: 100, maxMs: 5_000 };
    this.heartbeat = settings.heartbeat ?? { everyMs: 5_000, timeoutMs: 2_000 };
  }

  /** Resolves after the first attempt to listen, whether it worked or not (then retries go on behind). */
  start(): Promise<void> { return this.connect(); }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.beat);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  publish(retirements: Retirement[]): Promise<void> {
    return tracer.startActiveSpan('retirements publish', {
      kind: SpanKind.PRODUCER, attributes: { ...MESSAGING, 'messaging.batch.message_count': retirements.length },
    }, (span) => guarded(() => notifyRetirements(this.settings.db, retirements)).finally(() => span.end()));
  }

  subscribe(listener: RetirementListener): () => void {
    this.listeners.add(listener);
    if (!this.isListening) listener.deaf();
    return () => { this.listeners.delete(listener); };
  }

  /** True while LISTENing; for tests and logs. */
  get listening(): boolean { return this.isListening; }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.settings.connectionString, application_name: LISTENER_APPLICATION_NAME,
      connectionTimeoutMillis: 5_000, keepAlive: true,
    });
    this.client = client;
    let gone = false;
    const drop = (err?: unknown) => { if (!gone) { gone = true; this.dropped(client, err); } };
    client.on('error', drop);
    client.on('end', () => drop());
    client.on('notification', ({ channel, payload }) => { if (channel === RETIREMENTS && payload) this.deliver(payload); });
    try {
      await client.connect();
      await client.query(`LISTEN ${RETIREMENTS}`);
    } catch (err) {
      drop(err);
      return;
    }
    if (this.closed) await client.end().catch(() => undefined);
    if (gone || this.closed) return;
    if (this.failures > 0) this.settings.log.info({ attempts: this.failures }, 'retirement channel: listening again');
    this.failures = 0;
    this.isListening = true;
    this.beat = setInterval(() => this.checkAlive(client, drop), this.heartbeat.everyMs).unref();
    for (const l of this.listeners) l.listening();
  }

  private checkAlive(client: pg.Client, drop: (err?: unknown) => void): void {
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer on the listening connection within ${this.heartbeat.timeoutMs} ms`)), this.heartbeat.timeoutMs);
    });
    Promise.race([client.query('select 1'), silent]).then(() => clearTimeout(timer), (err) => { clearTimeout(timer); drop(err); });
  }

  private dropped(client: pg.Client, err: unknown): void {
    // A connection that hangs would keep end() waiting: its socket is destroyed instead.
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    client.end().catch(() => undefined);
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    clearInterval(this.beat);
    if (this.isListening) {
      this.isListening = false;
      this.settings.log.warn({ err: err instanceof Error ? err.message : err }, 'retirement channel: not listening, so retirements elsewhere go unheard; reconnecting');
      for (const l of this.listeners) l.deaf();
    }
    const delay = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** this.failures++);
    this.retry = setTimeout(() => { void this.connect(); }, delay * (0.75 + Math.random() / 2)).unref();
  }

  private deliver(payload: string): void {
    const colon = payload.indexOf(':');
    const kind = payload.slice(0, colon);
    const value = payload.slice(colon + 1);
    const retirement: Retirement | undefined = kind === 'token' ? { tokenHash: value } : kind === 'subject' ? { subject: value } : undefined;
    if (!retirement || colon < 0) return; // a payload from a newer Gatehouse: not ours to guess at
    // A trace of its own: NOTIFY carries no trace context. The kind only: a subject may be an email.
    const span = tracer.startSpan('retirements receive', { kind: SpanKind.CONSUMER, attributes: { ...MESSAGING, 'gatehouse.retirement.kind': kind } }, ROOT_CONTEXT);
    try {
      for (const l of this.listeners) l.retired(retirement);
    } finally {
      span.end();
    }
  }
}
