import pg from 'pg';

/** Enough for every statement shape the repositories build (lists: 6 orderings × 2 directions × owner × cursor). */
const MAX_PREPARED = 256;

/**
 * A pg client that runs each parameterised statement as a *named* prepared statement: PostgreSQL
 * parses and plans it once per connection, then only binds and executes. Kysely sends the same
 * SQL text for the same statement shape, so the text is the key; the first MAX_PREPARED texts get
 * a name, anything past that runs unnamed as before, so an unexpected variety of shapes cannot
 * grow the server's per-connection statement cache without bound.
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
      return name
        ? call.call(this, { name, text, values }, ...(typeof callback === 'function' ? [callback] : []))
        : call.apply(this, args);
    }
  } as typeof pg.Client;
}
