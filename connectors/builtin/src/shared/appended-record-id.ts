import { contentHash, type JsonRecord } from '@ferry/core';

/** The id an append reports for the link table: the record's key when it has one, else a hash of its content. */
export function appendedRecordId(record: JsonRecord, primaryKey: string): string {
  const key = record[primaryKey];
  return typeof key === 'string' || typeof key === 'number' ? String(key) : contentHash(record);
}
