import type { FastifyInstance, FastifySchemaCompiler, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault, RouteHandlerMethod } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { RouteDef } from '../../../shared/api/routes.js';
import { schemaIssue } from '../../../shared/api/schema-error.js';
import { ApiError } from '../core/api-error.js';

/**
 * The one validation choke point: every declared route's params, query string and body are
 * checked against its schema in shared/api/routes.ts before the handler runs, and a value
 * that breaks it is answered in healthchecks' words:
 * - body: 400 `json validation error: <field> is not a string` (an empty body is `{}`);
 * - query string: 400 `invalid <field>`;
 * - params: 404 `not found` (healthchecks: a URL naming no check does not exist).
 */
export const contractValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  return (data: unknown) => {
    const value = httpPart === 'body' && (data === null || data === undefined) ? {} : data;
    const issue = schemaIssue(schema, value);
    if (issue === null) return { value };
    if (httpPart === 'params') return { error: new ApiError(404, 'not found') };
    if (httpPart === 'querystring') return { error: new ApiError(400, `invalid ${issue.field || 'query string'}`) };
    return { error: new ApiError(400, `json validation error: ${`${issue.field} ${issue.words}`.trimStart()}`) };
  };
};

type Of<S> = S extends TSchema ? Static<S> : unknown;
/** The request types of a declared route, as Fastify's route generic. */
type RequestOf<R extends RouteDef> = { Params: Of<R['params']>; Querystring: Of<R['querystring']>; Body: Of<R['body']> };

/**
 * Registers a declared route with its handler: method, path and request schemas come from
 * the declaration, and the handler's `req.params`, `req.query` and `req.body` are typed by them.
 */
export function on<R extends RouteDef>(
  app: FastifyInstance,
  r: R,
  handler: RouteHandlerMethod<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, RequestOf<R>>,
): void {
  const schema: Record<string, TSchema> = {};
  if (r.params) schema.params = r.params;
  if (r.querystring) schema.querystring = r.querystring;
  if (r.body) schema.body = r.body;
  app.route<RequestOf<R>>({ method: r.method, url: r.path, schema, handler });
}
