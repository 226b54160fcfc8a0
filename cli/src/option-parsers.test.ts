import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { collectIds, collectParam, parseFaults, parseNonNegativeInteger, parsePort, parsePositiveInteger, parseTimeScale } from './option-parsers.js';

describe('option parsers', () => {
  it('accepts whole numbers and rejects everything else', () => {
    expect(parsePositiveInteger('25')).toBe(25);
    for (const bad of ['0', '-1', '1.5', 'ten', '', '1e3', '99999999999999999999']) {
      expect(() => parsePositiveInteger(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(parseNonNegativeInteger('0')).toBe(0);
    expect(() => parseNonNegativeInteger('-3')).toThrow(InvalidArgumentError);
    expect(parsePort('0')).toBe(0);
    expect(parsePort('8787')).toBe(8787);
    expect(() => parsePort('70000')).toThrow(/between 0 and 65535/);
    expect(parseTimeScale('0')).toBe(0);
    expect(parseTimeScale('12.5')).toBe(12.5);
    expect(() => parseTimeScale('-1')).toThrow(InvalidArgumentError);
    expect(() => parseTimeScale('fast')).toThrow(InvalidArgumentError);
  });

  it('collects --param k=v as strings and k:=json as typed values, later ones winning', () => {
    let params = collectParam('contactId=abc=def');
    params = collectParam('limit:=10', params);
    params = collectParam('ids:=["a","b"]', params);
    params = collectParam('contactId=xyz', params);
    expect(params).toEqual({ contactId: 'xyz', limit: 10, ids: ['a', 'b'] });
    expect(collectParam('empty=')).toEqual({ empty: '' });
    expect(() => collectParam('novalue')).toThrow(/key=value/);
    expect(() => collectParam('=v')).toThrow(/key=value/);
    expect(() => collectParam('n:=not json')).toThrow(/must be JSON/);
  });

  it('collects dead-letter ids given one by one or comma-separated', () => {
    expect(collectIds('3')).toEqual([3]);
    expect(collectIds('4,5', [3])).toEqual([3, 4, 5]);
    expect(() => collectIds('x')).toThrow(/ids/);
  });

  it('parses fault rates by status or name and checks probabilities', () => {
    expect(parseFaults('429=0.1,500=0.05,timeout=0.01,reset=0.02,malformed=0.03')).toEqual({
      rateLimited: 0.1,
      serverError: 0.05,
      timeout: 0.01,
      reset: 0.02,
      malformed: 0.03,
    });
    expect(parseFaults('5xx=1')).toEqual({ serverError: 1 });
    expect(() => parseFaults('429=2')).toThrow(/between 0 and 1/);
    expect(() => parseFaults('timout=0.1')).toThrow(/did you mean 'timeout'/);
    expect(() => parseFaults('429')).toThrow(/probability/);
  });
});
