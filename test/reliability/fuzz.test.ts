import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FerryError, compileFieldMap, type JsonRecord, type WebhookDelivery } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import ghl, { normalizeContact } from '@ferry/connector-ghl';
import { salesmsg } from '@ferry/connector-salesmsg';
import { SANDBOX_LOCATION_ID } from '@ferry/connector-ghl/sandbox';

const URL_SECRET = 'fuzz-url-secret-0123456789abcdef';
/** Cases per property; scripts/reliability/fuzz-campaign.ts raises it. */
const RUNS = Number(process.env['FERRY_FUZZ_RUNS'] ?? '300');
const SEED = Number(process.env['FERRY_FUZZ_SEED'] ?? '4242');
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then'];

/** JSON with hostile keys, wrong types, huge strings and deep nesting. */
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ maxLength: 64 }),
    fc.constant('x'.repeat(200_000)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_KEYS, 'contact', 'data', 'event', 'id', 'type', 'locationId', 'phone', 'email', 'tags', 'contactId', 'number'), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** Bodies as bytes: JSON texts (with `__proto__` as a real key), nesting 5,000 deep, and random bytes. */
const bodies: fc.Arbitrary<Buffer> = fc.oneof(
  hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.constantFrom(
    '{"__proto__":{"polluted":true},"event":"contact.created","data":{"contact":{"__proto__":{"polluted":true},"id":1}}}',
    '{"constructor":{"prototype":{"polluted":true}},"type":"ContactCreate","locationId":"x","id":"y"}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5001)}`,
    '',
    '{',
    'null',
  ).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.from(a)),
);

const headers = fc.dictionary(
  fc.constantFrom('x-ghl-signature', 'x-wh-signature', 'timestamp', 'x-delivery-id', 'content-type', '__proto__', 'constructor'),
  fc.string({ maxLength: 40 }),
  { maxKeys: 5 },
);

function expectTyped(error: unknown): void {
  // Only typed errors: a FerryError with a literal code, never a TypeError or RangeError from deep inside.
  expect(error).toBeInstanceOf(FerryError);
  expect((error as FerryError).code).toMatch(/^[A-Z][A-Z0-9_]+$/);
}

function expectPrototypesClean(): void {
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
}
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function timed<T>(fn: () => T): T {
  const started = performance.now();
  try {
    return fn();
  } finally {
    expect(performance.now() - started).toBeLessThan(2_000);
  }
}

describe('webhook bodies: verify and parse of every trigger take anything and answer with typed errors', () => {
  const cases = [
    { connector: ghl, config: { locationId: SANDBOX_LOCATION_ID } },
    { connector: salesmsg, config: { accountId: 1001, webhookSecret: URL_SECRET } },
  ];
  for (const { connector, config } of cases) {
    const triggers = connector.triggers?.filter((t) => t.kind === 'webhook') ?? [];
    it(`${connector.name}: ${triggers.length} triggers × ${RUNS} hostile deliveries`, () => {
      expect(triggers.length).toBeGreaterThan(0);
      const ctx = createTestContext({ connection: connector.name, config });
      fc.assert(
        fc.property(bodies, headers, fc.constantFrom(URL_SECRET, 'wrong', undefined), fc.constantFrom(...triggers), (rawBody, head, pathSecret, trigger) => {
          const delivery: WebhookDelivery = { headers: head, rawBody, receivedAt: new Date(), ...(pathSecret === undefined ? {} : { pathSecret }) };
          let verified = false;
          try {
            timed(() => trigger.verify?.(ctx, delivery));
            verified = true;
          } catch (error) {
            expectTyped(error);
          }
          // A GHL delivery with no valid signature is never verified.
          if (connector.name === 'ghl') expect(verified).toBe(false);
          if (pathSecret !== URL_SECRET && connector.name === 'salesmsg') expect(verified).toBe(false);
          try {
            const event = timed(() => trigger.parse?.(delivery));
            if (event !== undefined) {
              expect(typeof event.deliveryId).toBe('string');
              for (const record of event.records) expect(Object.getPrototypeOf(record)).not.toHaveProperty('polluted');
            }
          } catch (error) {
            expectTyped(error);
          }
          expectPrototypesClean();
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });
  }
});

describe('API responses: record normalisers take arbitrary JSON', () => {
  it('GHL normalizeContact (objects of any shape, as the API client hands it): a record or a typed error, never a crash or pollution', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...HOSTILE_KEYS, 'id', 'address', 'dateOfBirth', 'customFields', 'tags', 'phone', 'email', 'firstName', 'dnd', 'dndSettings'), hostileJson, { maxKeys: 8 }), (raw) => {
        try {
          const record = timed(() => normalizeContact(raw as JsonRecord));
          expect(typeof record).toBe('object');
        } catch (error) {
          expectTyped(error);
        }
        expectPrototypesClean();
      }),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  });

  it('Salesmsg stream reads survive malformed pages from a real sandbox (see faults.test.ts); records parse via the trigger', () => {
    const trigger = salesmsg.triggers?.find((t) => t.name === 'contact.created');
    fc.assert(
      fc.property(hostileJson, (contact) => {
        const rawBody = Buffer.from(JSON.stringify({ event: 'contact.created', data: { contact } }));
        try {
          const event = trigger?.parse?.({ headers: {}, rawBody, receivedAt: new Date(), pathSecret: URL_SECRET });
          for (const record of event?.records ?? []) expect(typeof record).toBe('object');
        } catch (error) {
          expectTyped(error);
        }
        expectPrototypesClean();
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  });
});

describe('field-map expressions cannot reach the process', () => {
  const record: JsonRecord = { first_name: 'Ada', tags: [{ label: 'lead' }], n: 3 };
  const escapes = [
    'process',
    '$process',
    'require',
    '$require("child_process")',
    'globalThis',
    '$globalThis',
    'constructor',
    '$.constructor',
    'first_name.constructor',
    '$string.constructor',
    '$lookup($, "constructor")',
    '$lookup($lookup($, "constructor"), "constructor")("return process")()',
    '$eval("process")',
    '$eval("$eval(\\"process\\")")',
    '__proto__',
    '$.__proto__',
    '$.__proto__.polluted := 1',
    '$merge([{"__proto__": {"polluted": true}}])',
    '$sift($, function($v, $k) { $k = "constructor" })',
    '$keys($)[0].constructor',
    'tags.constructor.constructor',
    '$spread($).constructor',
    '$string($lookup($, "__proto__"))',
    '($f := function($x) { $f($x + 1) }; $f(0))',
    '[1..10000000]',
    '$count([1..100000000])',
    '$pad("", 100000000, "x")',
    '(function($a){ $a ~> $a })(function($b){ $b ~> $b })',
  ];
  for (const expr of escapes) {
    it(`'${expr.length > 60 ? `${expr.slice(0, 60)}…` : expr}' yields no process object, no function, no pollution`, async () => {
      const started = performance.now();
      let value: unknown;
      try {
        const map = compileFieldMap({ x: { expr } });
        value = (await map.apply(record))['x'];
      } catch (error) {
        expectTyped(error);
      }
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(typeof value).not.toBe('function');
      expect(value === process || value === globalThis || value === Object.prototype).toBe(false);
      expect(JSON.stringify(value ?? null)).not.toMatch(/"(pid|env|versions)"/);
      expectPrototypesClean();
    });
  }

  it('random expressions over hostile records: a JSON value or a typed error, bounded', async () => {
    const tokens = fc.constantFrom('$', '.', '(', ')', '[', ']', '{', '}', '"constructor"', '__proto__', 'constructor', 'prototype', '$lookup', '$eval', '$string', '$keys', 'function($x){$x}', '~>', '&', ':=', '1', ',', 'first_name', 'tags', '..', '*', '**', '%');
    await fc.assert(
      fc.asyncProperty(fc.array(tokens, { maxLength: 14 }).map((t) => t.join('')), hostileJson, async (expr, raw) => {
        const started = performance.now();
        try {
          const map = compileFieldMap({ x: { expr } });
          const out = await map.apply((typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : { raw }) as JsonRecord);
          expect(typeof out['x']).not.toBe('function');
        } catch (error) {
          expectTyped(error);
        }
        expect(performance.now() - started).toBeLessThan(5_000);
        expectPrototypesClean();
      }),
      { numRuns: RUNS, seed: SEED + 3 },
    );
  });
});
