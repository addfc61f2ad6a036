import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/**
 * A schema may carry its own words for a failed value (`errorWords`), said after the
 * field's name, where healthchecks or a client relies on them (e.g. the power events).
 */
export interface ErrorWordsOption {
  errorWords?: string;
}

const ARTICLE: Record<string, string> = { array: 'an array', object: 'an object', integer: 'an integer' };

/** "a/0/b" → "a[0].b"; a list item's error names its list, as healthchecks does ("unique has unexpected value"). */
function fieldName(instancePath: string, keepIndex = false): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  while (!keepIndex && parts.length > 1 && /^\d+$/.test(parts[parts.length - 1])) parts.pop();
  return parts.reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out === '' ? p : `${out}.${p}`), '');
}

/** The sub-schema an error's schemaPath points at ("#/properties/x/anyOf/0"). */
function subSchema(root: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let s: unknown = root;
  for (const p of schemaPath.split('/').slice(1)) {
    if (s === null || typeof s !== 'object') return undefined;
    s = (s as Record<string, unknown>)[p];
  }
  return s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : undefined;
}

/** The parent of a schemaPath ("#/properties/x/anyOf/0" → "#/properties/x"). */
function ownerPath(schemaPath: string): string {
  return schemaPath.replace(/\/(anyOf|oneOf)\/\d+$/, '');
}

/**
 * Why `value` does not match `schema`, in healthchecks' words ("name is not a string",
 * "timeout is too small", "methods has unexpected value"), or null when it matches.
 * Only the first offending field is named. This is the text after
 * "json validation error: " in a 400 answer.
 */
export function schemaError(schema: TSchema, value: unknown): string | null {
  const issue = schemaIssue(schema, value);
  return issue && `${issue.field} ${issue.words}`.trimStart();
}

/** The first field of `value` that breaks `schema` and what is wrong with it ("" names the root), or null. */
export function schemaIssue(schema: TSchema, value: unknown): { field: string; words: string } | null {
  const said = (field: string, words: string) => ({ field, words });
  const errors = Value.Errors(schema, value);
  if (errors.length === 0) return null;
  const first = errors[0];
  const atPath = errors.filter((e) => e.instancePath === first.instancePath);
  const field = fieldName(first.instancePath);
  if (field === '') {
    const missing = atPath.find((e) => e.keyword === 'required');
    if (missing) {
      const name = (missing.params as { requiredProperties: string[] }).requiredProperties[0];
      const words = subSchema(schema, `${missing.schemaPath}/properties/${name}`)?.errorWords;
      return said(name, typeof words === 'string' ? words : 'is required');
    }
    return said('', 'json root is not an object');
  }
  const owner = subSchema(schema, ownerPath(first.schemaPath));
  if (typeof owner?.errorWords === 'string') return said(field, owner.errorWords);
  const e = atPath.find((x) => x.keyword === 'type' && (x.params as { type: string }).type !== 'null') ?? first;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const t = String(params.type);
      return said(field, `is not ${ARTICLE[t] ?? `a ${t}`}`);
    }
    case 'maxLength':
    case 'maxItems':
      return said(field, `is too long`);
    case 'minLength':
    case 'minItems':
      return said(field, `is too short`);
    case 'minimum':
    case 'exclusiveMinimum':
      return said(field, `is too small`);
    case 'maximum':
    case 'exclusiveMaximum':
      return said(field, `is too large`);
    case 'pattern':
      return said(field, `does not match pattern ${String(params.pattern)}`);
    case 'required':
      return said(`${fieldName(e.instancePath, true)}.${(params.requiredProperties as string[])[0]}`, 'is required');
    default:
      return said(field, `has unexpected value`);
  }
}
