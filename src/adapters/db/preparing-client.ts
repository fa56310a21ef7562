import pg from 'pg';

/** Enough for every statement shape the repositories build (lists: 6 orderings × 2 directions × owner × cursor). */
const MAX_PREPARED = 256;

type Callback = (err: Error | undefined, result: pg.QueryResult) => void;

/**
 * A pg client that runs each parameterised statement as a *named* prepared statement: PostgreSQL
 * parses and plans it once per connection, then only binds and executes. Kysely sends the same
 * SQL text for the same statement shape, so the text is the key; the first MAX_PREPARED texts get
 * a name, anything past that runs unnamed as before, so an unexpected variety of shapes cannot
 * grow the server's per-connection statement cache without bound.
 *
 * The named statement goes to pg as a Query made from the text and then named, not as a config
 * object `{ name, text, values }`: pg copies a config object with getOwnPropertyDescriptors and
 * defineProperties, 2.4 µs a query against 0.1 µs (scripts/bench/micro.ts, "pg query for a named
 * statement"); perf put `Client.query` at 5.7 µs a request in Gatehouse and 0.7 µs in the baseline.
 */
export function preparingClient(): typeof pg.Client {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `gatehouse_${names.size}`));
    return name;
  };
  return class PreparingClient extends pg.Client {
    // pg's overloads do not survive `super.query(...args)`; the shapes are checked at run time here.
    override query(...args: unknown[]): never {
      const [text, values, callback] = args;
      const name = typeof text === 'string' && Array.isArray(values) && values.length > 0 ? nameOf(text) : undefined;
      const call = super.query as (...a: unknown[]) => never;
      if (!name) return call.apply(this, args);
      const named = (done: Callback) => Object.assign(new pg.Query(text as string, values as unknown[], done), { name });
      if (typeof callback === 'function') return call.call(this, named(callback as Callback));
      // A Query handed to pg is answered through its callback, not a promise: Kysely awaits one.
      return new Promise<pg.QueryResult>((resolve, reject) => {
        call.call(this, named((err, result) => (err ? reject(err) : resolve(result))));
      }) as never;
    }
  } as typeof pg.Client;
}
