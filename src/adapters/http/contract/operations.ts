/**
 * The generated contract types, named once: by schema name and by operationId, never by path, so a
 * route, its inputs and the answers it may give all follow openapi.yaml. A field renamed there
 * breaks the build of src/, not only a client's (test/unit/contract-types.test.ts proves it).
 */
import type { components, operations } from '../../../generated/openapi.js';

export type OperationId = keyof operations;
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];

type Parameters<O extends OperationId> = operations[O]['parameters'];

/** Path parameters, coerced to the types the document gives them (`id` is a number). */
export type PathParams<O extends OperationId> = NonNullable<Parameters<O>['path']>;

/** The validated query, defaults applied by ajv (so `limit` and `ordering` are there even when not sent). */
export type Query<O extends OperationId> = NonNullable<Parameters<O>['query']>;

/** The validated body, whichever of the operation's media types it came as. */
export type Body<O extends OperationId> = operations[O] extends { requestBody: { content: infer C } }
  ? C[keyof C]
  : operations[O] extends { requestBody?: { content: infer C } } ? C[keyof C] | undefined : undefined;

type Responses<O extends OperationId> = operations[O]['responses'];
type SuccessStatus = 200 | 201 | 202 | 204 | 304; // 304: a conditional GET's answer, no more an error than a 200
/** Not 2xx, yet answers rather than errors: the root's redirect to the docs, readiness naming the dependency that is down. */
type AnsweredStatus = SuccessStatus | 302 | 503;
type ContentOf<R> = R extends { content: infer C } ? C[keyof C] : undefined;

declare const SERIALISES: unique symbol;
/** JSON serialised once, at start-up, and still typed as the value it holds: a document served as is on every request. */
export type Serialised<T> = string & { readonly [SERIALISES]: T };
export const serialised = <T>(value: T): Serialised<T> => JSON.stringify(value) as Serialised<T>;

/** A body as sent: the value, or its JSON serialised beforehand; a documented string may be sent as its bytes (a file). */
type Sent<B> = B | Serialised<B> | (string extends B ? Buffer : never);

/**
 * What a handler may answer: one of the operation's documented answers, its body of that
 * response's schema. Errors (anything in problem+json, every 4xx) are thrown, never returned, and
 * rendered in one place.
 */
export type Answer<O extends OperationId> = {
  [S in keyof Responses<O>]: S extends AnsweredStatus
    ? Responses<O>[S] extends { content: { 'application/problem+json': unknown } }
      ? never
      : { status: S; body: Sent<ContentOf<Responses<O>[S]>>; headers?: Record<string, string> }
    : never;
}[keyof Responses<O>];

/**
 * A query whose parameters `K` have a `default` in the document: ajv (useDefaults) fills them in
 * before the handler runs, which the generated types, written for clients, cannot know.
 * test/unit/contract-types.test.ts checks that the document still gives each such parameter a default.
 */
export type QueryWithDefaults<O extends OperationId, K extends keyof Query<O>> = Query<O> & Required<Pick<Query<O>, K>>;

export type ListItemsQuery = QueryWithDefaults<'listItems', 'limit' | 'ordering'>;
