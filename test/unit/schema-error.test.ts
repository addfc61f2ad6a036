import { describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { schemaError } from '../../shared/api/schema-error.js';

const S = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 3 })),
  token: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  tags: Type.Optional(Type.Array(Type.Enum(['a', 'b']))),
  rules: Type.Optional(Type.Array(Type.Object({ expr: Type.String() }))),
  event: Type.Enum(['on', 'off'], { errorWords: 'must be on or off' }),
  n: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
  slug: Type.Optional(Type.String({ pattern: '^[a-z]+$' })),
});

describe('schemaError: the first offending field, in healthchecks words', () => {
  it.each([
    [{ event: 'on' }, null],
    [{ event: 'on', name: 5 }, 'name is not a string'],
    [{ event: 'on', name: 'long' }, 'name is too long'],
    [{ event: 'on', token: 5 }, 'token is not a string'],
    [{ event: 'on', tags: 'a' }, 'tags is not an array'],
    [{ event: 'on', tags: ['a', 'z'] }, 'tags has unexpected value'],
    [{ event: 'on', rules: [{ expr: 'x' }, { expr: 1 }] }, 'rules[1].expr is not a string'],
    [{ event: 'on', rules: [{}] }, 'rules[0].expr is required'],
    [{ event: 'x' }, 'event must be on or off'],
    [{}, 'event must be on or off'],
    [{ event: 'on', n: 1.5 }, 'n is not an integer'],
    [{ event: 'on', n: 0 }, 'n is too small'],
    [{ event: 'on', n: 10 }, 'n is too large'],
    [{ event: 'on', slug: 'A' }, 'slug does not match pattern ^[a-z]+$'],
    [[], 'json root is not an object'],
    [null, 'json root is not an object'],
  ])('%j → %s', (value, words) => {
    expect(schemaError(S, value)).toBe(words);
  });
});
