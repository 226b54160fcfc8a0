import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import type { JsonRecord } from '../../contract/json-schema.js';
import { bindingsFor } from '../expression/evaluate-expression.js';
import { DEFAULT_EXPRESSION_LIMITS } from '../expression/expression-limits.js';
import { parseExpression } from '../expression/parse-expression.js';
import { compileFastPredicate } from './fast-predicate.js';

const KEYS = ['a', 'b', 'tags', 'label'] as const;
const STRINGS = ['x', 'y', '', 'customer'] as const;
const NUMBERS = [0, 1, 2, -1, 1.5] as const;

/** Records built from a few keys and values, so that generated paths and literals often meet. */
const scalar = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean(), fc.constant(null));
/**
 * Shapes where JSONata's sequence rules show (lists of lists, singletons, empties). Each use is a fresh copy,
 * so that `===` and deep equality can tell two equal values apart.
 */
const SHAPES: readonly unknown[] = [
  {},
  [],
  [[]],
  [1],
  [[1]],
  [[1], []],
  { label: 'x' },
  [{ label: 'x' }],
  [[{ label: 'x' }], { label: 'y' }],
  [{ label: [] }, { label: [['x']] }],
  [{ b: [[1]] }, { b: [] }],
  [{ b: [] }],
  [[{ label: ['x'] }, { label: ['y'] }]],
  [0],
  [''],
  [false, 0],
  { tags: [{ label: 'customer' }] },
];
const shape = fc.constantFrom(...SHAPES).map((value) => structuredClone(value));

// Nested lists and lists of objects are where JSONata's sequence flattening shows, so they come often.
const { value: dataValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'medium', withCrossShrink: true },
    { arbitrary: scalar, weight: 2 },
    { arbitrary: shape, weight: 2 },
    { arbitrary: tie('array'), weight: 2 },
    { arbitrary: tie('object'), weight: 2 },
  ),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 3 }),
}));
const record = fc.dictionary(fc.constantFrom(...KEYS), dataValue, { maxKeys: 4 }) as fc.Arbitrary<JsonRecord>;

const literal = fc.oneof(
  fc.constantFrom(...STRINGS).map((text) => `'${text}'`),
  fc.constantFrom(...NUMBERS).map(String),
  fc.constantFrom('true', 'false', 'null'),
);
const path = fc
  .tuple(fc.constantFrom('', '$.', '$$.', '$source.', '$v.', '$missing.'), fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 3 }))
  .map(([start, keys]) => `${start}${keys.join('.')}`);
const variable = fc.constantFrom('$', '$$', '$v', '$source', '$missing');
const list = fc.array(literal, { maxLength: 3 }).map((items) => `[${items.join(', ')}]`);
const operand = fc.oneof(path, path, literal, variable);

type Grammar = { expr: string; comparison: string; membership: string; call: string; logic: string };
const { expr: expression } = fc.letrec<Grammar>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    operand,
    tie('comparison'),
    tie('membership'),
    tie('call'),
    tie('logic'),
  ),
  comparison: fc.tuple(operand, fc.constantFrom('=', '!=', '<', '<=', '>', '>='), operand).map(([l, op, r]) => `${l} ${op} ${r}`),
  membership: fc.tuple(operand, fc.oneof(path, list, literal)).map(([l, r]) => `${l} in ${r}`),
  call: fc.oneof(
    tie('expr').map((inner) => `$not(${inner})`),
    tie('expr').map((inner) => `$boolean(${inner})`),
    fc.oneof(path, variable).map((inner) => `$exists(${inner})`),
    fc.tuple(fc.oneof(path, literal), fc.constantFrom(...STRINGS)).map(([inner, token]) => `$contains(${inner}, '${token}')`),
  ),
  logic: fc.tuple(tie('expr'), fc.constantFrom('and', 'or'), tie('expr')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
}));

type Outcome = { value: boolean } | { error: true };

async function referenceOutcome(text: string, input: JsonRecord, vars: Record<string, unknown>): Promise<Outcome> {
  try {
    const result: unknown = await jsonata(text).evaluate(input, bindingsFor(input, vars));
    // JSONata's own $boolean decides truthiness of the raw result; no value at all is false.
    const verdict: unknown = await jsonata('$boolean($r)').evaluate({}, { r: result });
    return { value: verdict === true };
  } catch {
    return { error: true };
  }
}

function fastOutcome(text: string, input: JsonRecord, vars: Record<string, unknown>): Outcome {
  const fast = compileFastPredicate(parseExpression(text, undefined, DEFAULT_EXPRESSION_LIMITS).ast);
  if (fast === undefined) throw new Error(`expected the fast path for ${text}`);
  try {
    return { value: fast(input, vars) };
  } catch {
    return { error: true };
  }
}

describe('where fast path', () => {
  it('agrees with JSONata on every generated record and expression of the subset', async () => {
    await fc.assert(
      fc.asyncProperty(expression, record, dataValue, async (text, input, v) => {
        const vars = { v };
        expect(fastOutcome(text, input, vars)).toEqual(await referenceOutcome(text, input, vars));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on hand-picked corners of path flattening and comparison', async () => {
    const cases: [string, JsonRecord][] = [
      ["'customer' in tags.label", { tags: [{ label: 'customer' }, { label: 'vip' }] }],
      ["'customer' in tags.label", { tags: { label: 'customer' } }],
      ['tags.label = ["x"]', { tags: [{ label: ['x'] }] }],
      ['tags.label = ["x", "y"]', { tags: [{ label: ['x'] }, { label: 'y' }] }],
      ['a.b = []', { a: { b: [] } }],
      ['a.b = []', { a: [{ b: [] }] }],
      ['$exists(a.b)', { a: [[{ b: 1 }], [[{ b: 2 }]]] }],
      ['a.b > 1', { a: [{ b: 2 }, { b: 3 }] }],
      ['a > "1"', { a: 2 }],
      ['$contains(a, "x")', { a: ['x'] }],
      ['$not(a)', { a: [] }],
      ['a', { a: [0, '', false] }],
      ['a', { a: [0, 'x'] }],
      ['a', { a: {} }],
      ['$exists(a.b.label)', { a: [{ b: [] }] }],
      ['a.b.label', { a: [[{ b: [{ label: 'x' }] }, { b: { label: 'y' } }]] }],
      ['a in b', { a: {}, b: {} }],
      ['a in b', { a: [1], b: [[1]] }],
      ['a = b', { a: { tags: [1, { a: null }] }, b: { tags: [1, { a: null }] } }],
    ];
    for (const [text, input] of cases) {
      expect(fastOutcome(text, input, {}), text).toEqual(await referenceOutcome(text, input, {}));
    }
  });

  it('leaves anything outside the subset to JSONata', () => {
    const outside = ['$count(tags) > 1', 'a[0] = 1', 'a.b[x = 1]', 'a + 1 > 2', '$contains(a, /x/)', 'a ? b : c', '$string(a) = "1"', 'tags[]', '$now() > "2020"', 'a ~> $exists()'];
    for (const text of outside) {
      expect(compileFastPredicate(parseExpression(text, undefined, DEFAULT_EXPRESSION_LIMITS).ast), text).toBeUndefined();
    }
  });

  it('compiles the subset the filters of real pipelines use', () => {
    const inside = ["'customer' in tags.label", 'not(age > 5)', '$exists(email) and status != "archived"', 'score >= 10 or vip = true', 'status in ["open", "won"]', '$contains(name, "Inc")'];
    for (const text of inside) {
      expect(compileFastPredicate(parseExpression(text, undefined, DEFAULT_EXPRESSION_LIMITS).ast), text).toBeDefined();
    }
  });
});
