import { describe, expect, it } from 'vitest';
import { isFerryError, type ConnectionPartition } from '@ferry/core';
import { chooseSourcePartition, partitionOption } from './source-partition.js';

const partition = (id: string, label?: string): ConnectionPartition => ({ connection: 'crm', id, config: { locationId: id }, ...(label === undefined ? {} : { label }) });
const listed = [partition('loc-north', 'North'), partition('loc-south')];

function failure(run: () => unknown): { code: string; message: string; hint: string | undefined } {
  try {
    run();
  } catch (error) {
    if (isFerryError(error)) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error('expected a FerryError');
}

describe('chooseSourcePartition', () => {
  it('takes the partition asked for, else the first one listed', () => {
    expect(chooseSourcePartition('crm', listed, 'loc-south')?.id).toBe('loc-south');
    expect(chooseSourcePartition('crm', listed, undefined)?.id).toBe('loc-north');
  });

  it('chooses nothing for a connection without partitions', () => {
    expect(chooseSourcePartition('files', undefined, undefined)).toBeUndefined();
  });

  it('refuses an unknown id, with a guess and the known ids in the hint', () => {
    const error = failure(() => chooseSourcePartition('crm', listed, 'loc-sotuh'));
    expect(error.code).toBe('STUDIO_UNKNOWN_PARTITION');
    expect(error.message).toBe("connection 'crm' has no partition 'loc-sotuh' — did you mean 'loc-south'?");
    expect(error.hint).toBe('pick one of its partitions: loc-north, loc-south');
  });

  it('lists at most twenty ids in the hint, and counts them all', () => {
    const many = Array.from({ length: 25 }, (_, index) => partition(`loc-${index}`));
    expect(failure(() => chooseSourcePartition('crm', many, 'elsewhere')).hint).toMatch(/loc-19, … \(25 in all\)$/);
  });

  it('refuses a partition of a connection that has none, and a connection whose list is empty', () => {
    const unpartitioned = failure(() => chooseSourcePartition('files', undefined, 'loc-north'));
    expect(unpartitioned.code).toBe('STUDIO_UNKNOWN_PARTITION');
    expect(unpartitioned.hint).toContain("sample 'files' without choosing a partition");
    expect(failure(() => chooseSourcePartition('agency', [], undefined)).code).toBe('STUDIO_NO_PARTITIONS');
  });
});

describe('partitionOption', () => {
  it('shows the id and label only, never the config or credentials', () => {
    expect(partitionOption({ ...partition('loc-north', 'North'), auth: { kind: 'bearer', token: 'secret' } })).toEqual({ id: 'loc-north', label: 'North' });
    expect(partitionOption(partition('loc-south'))).toEqual({ id: 'loc-south' });
  });
});
