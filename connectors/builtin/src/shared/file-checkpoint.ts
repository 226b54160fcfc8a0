import { FerryError, type CheckpointState } from '@ferry/core';
import { fileFingerprint } from './file-fingerprint.js';

/** Where a file stream stopped: the byte offset of the next unread record, plus what guards the resume. */
export interface FileCheckpoint {
  readonly offset: number;
  readonly fingerprint: string | undefined;
}

function invalidState(connector: string, why: string): FerryError {
  return new FerryError('STATE_INVALID', `${connector}: the stored checkpoint is not one this connector wrote (${why})`, {
    hint: 'run the pipeline with --full to read the file from the start (that replaces the checkpoint)',
    details: { connector },
  });
}

export function readFileCheckpoint(state: CheckpointState, connector: string): FileCheckpoint {
  const { offset, fingerprint } = state;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidState(connector, 'offset is not a byte offset');
  }
  if (fingerprint !== undefined && typeof fingerprint !== 'string') throw invalidState(connector, 'bad fingerprint');
  return { offset, fingerprint };
}

export function readCheckpointInteger(state: CheckpointState, connector: string, key: string): number | undefined {
  const value = state[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidState(connector, `${key} is not a count`);
  }
  return value;
}

/** Refuses to resume into a file that is shorter than the checkpoint or whose first bytes changed. */
export async function assertResumable(file: string, size: number, checkpoint: FileCheckpoint): Promise<void> {
  const changed = (why: string): FerryError =>
    new FerryError('FILE_CHANGED', `${file} changed since the last run: ${why}`, {
      hint: 'a checkpoint is a byte offset into the file, so the file may only grow by appending; run with --full to read it from the start',
      details: { file, offset: checkpoint.offset, size },
    });
  if (size < checkpoint.offset) throw changed(`it has ${size} bytes, the checkpoint is at byte ${checkpoint.offset}`);
  if (checkpoint.fingerprint === undefined) return;
  const [length] = checkpoint.fingerprint.split(':');
  const now = await fileFingerprint(file, Number(length));
  if (now !== checkpoint.fingerprint) throw changed('its first bytes are different');
}
