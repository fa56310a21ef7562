import type { Compilable, CompiledQuery } from 'kysely';

/**
 * A statement Kysely builds and compiles once, with placeholder values where a request's values go,
 * then runs with each request's values in the same positions ($1, $2, … in the order the builder
 * bound them). Building and compiling the second-page list statement took 21–22 µs a request, a
 * reused one 0.2 µs (scripts/bench/micro.ts, "list statement"), a tenth of a list request's CPU.
 *
 * Only values that Kysely binds as parameters may differ between uses: anything it writes into the
 * SQL text (a column, a direction, a comparison) belongs to the statement's shape, and each shape is
 * a statement of its own. test/unit/reusable-statement.test.ts compiles every shape the item
 * repository uses both ways and requires the same SQL and the same parameters.
 */
export class ReusableStatement<R> {
  readonly #compiled: CompiledQuery<R>;

  constructor(query: Compilable<R>) {
    this.#compiled = query.compile();
  }

  get sql(): string {
    return this.#compiled.sql;
  }

  /** The statement with these values, in the order of its placeholders. @throws Error on a count that does not match */
  with(parameters: readonly unknown[]): CompiledQuery<R> {
    if (parameters.length !== this.#compiled.parameters.length) {
      throw new Error(`${parameters.length} parameters for ${this.#compiled.parameters.length} placeholders in ${this.#compiled.sql}`);
    }
    return { ...this.#compiled, parameters };
  }
}
