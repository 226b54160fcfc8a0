import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonRecord } from '@ferry/core';
import { normalizeContact } from './contact-record.js';

/** The rules of normalizeContact written plainly: the fast version must give the same record, key order included. */
function reference(raw: JsonRecord): JsonRecord {
  const searchOnly = ['searchAfter', 'contactName', 'businessName', 'address', 'attributions'];
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined || searchOnly.includes(key) || key === '__proto__') continue;
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (out['address1'] === undefined && typeof raw['address'] === 'string') out['address1'] = raw['address'];
  if (out['companyName'] === undefined && typeof raw['businessName'] === 'string') out['companyName'] = raw['businessName'];
  const dob = raw['dateOfBirth'];
  if (typeof dob === 'number' && Number.isFinite(dob) && Math.abs(dob) <= 8.64e15) out['dateOfBirth'] = new Date(dob).toISOString();
  const attributions = raw['attributions'];
  if (Array.isArray(attributions) && out['attributionSource'] === undefined && attributions.length > 0) out['attributionSource'] = attributions[0];
  return out;
}

const key = fc.oneof(
  fc.constantFrom('id', 'email', 'address', 'address1', 'businessName', 'companyName', 'dateOfBirth', 'attributions', 'attributionSource', 'searchAfter', 'contactName', '__proto__', 'constructor', '0', '12'),
  fc.string({ maxLength: 8 }),
);
const value = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -1e12, max: 4e12 }),
  fc.double(),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.record({ url: fc.string({ maxLength: 4 }) })), { maxLength: 2 }),
);

describe('normalizeContact', () => {
  it('gives the same record as the plain rules, in the same key order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 12 }), (entries) => {
        // Through JSON.parse, as records arrive: a `__proto__` key is then an own property.
        const raw = JSON.parse(JSON.stringify(Object.fromEntries(entries))) as JsonRecord;
        const got = normalizeContact(raw);
        const want = reference(raw);
        expect(Object.keys(got)).toEqual(Object.keys(want));
        expect(got).toEqual(want);
        expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      }),
      { numRuns: 3000 },
    );
  });


  it('ignores inherited properties', () => {
    const raw = Object.create({ inherited: 'x' }) as JsonRecord;
    raw['id'] = 'c3';
    expect(normalizeContact(raw)).toEqual({ id: 'c3' });
  });
});
