import { Buffer } from 'node:buffer';
import { openSqliteStore, type CheckpointRow } from '@ferry/core';
import type { FakeContact } from './fake-contacts.js';

/** The committed checkpoints of a store another process is writing, or undefined while it has none. */
export function readCheckpoint(storeFile: string, pipeline: string, stream = 'records'): CheckpointRow | undefined {
  let store;
  try {
    store = openSqliteStore(storeFile, { readonly: true });
  } catch {
    return undefined; // not created yet, or still migrating
  }
  try {
    return store.listCheckpoints(pipeline).find((row) => row.stream === stream);
  } finally {
    store.close();
  }
}

export function checkpointOffset(row: CheckpointRow | undefined): number {
  const offset = row?.state['offset'];
  return typeof offset === 'number' ? offset : 0;
}

/** Byte offset where each record's line starts in the CSV that `contactsCsv` wrote (one record per line). */
export function recordOffsets(csvText: string, contacts: readonly FakeContact[]): number[] {
  const lines = csvText.split('\n');
  const offsets: number[] = [];
  let at = Buffer.byteLength(`${lines[0] ?? ''}\n`);
  for (let i = 0; i < contacts.length; i++) {
    offsets.push(at);
    at += Buffer.byteLength(`${lines[i + 1] ?? ''}\n`);
  }
  return offsets;
}

/** Ids of the records a checkpoint at `offset` says are done. */
export function idsBefore(offset: number, offsets: readonly number[], contacts: readonly FakeContact[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < contacts.length; i++) {
    const start = offsets[i];
    const contact = contacts[i];
    if (start !== undefined && contact !== undefined && start < offset) ids.push(contact.id);
  }
  return ids;
}
