import { FerryError, type CheckpointState } from '@ferry/core';
import { apiTimeMs, isoTime } from '../records/api-time.js';

/**
 * Where a contacts read stands, as stored in the checkpoint:
 * - `watermark`: the newest `updated_at` delivered so far (records arrive in updated_at order);
 * - `recent`: `[id, updated_at]` of the records delivered within the overlap window below the watermark, so a
 *   resumed read that looks at that window again skips exactly what it already delivered;
 * - `page`: the page the last delivered record was on (a hint: the read steps back when records have moved);
 * - `rescanFrom`: set while a read re-covers a range in which contacts moved during the read.
 */
export interface ContactScanState {
  readonly watermarkMs: number | undefined;
  readonly recent: ReadonlyMap<number, number>;
  readonly page: number;
  readonly rescanFromMs: number | undefined;
}

const VERSION = 1;

function badState(detail: string): FerryError {
  return new FerryError('SALESMSG_BAD_STATE', `the checkpoint of the contacts stream is not one this connector wrote: ${detail}`, {
    hint: 'run the pipeline with --full to read the contacts from the start (the checkpoint is replaced)',
  });
}

export function encodeScanState(state: ContactScanState): CheckpointState {
  return {
    v: VERSION,
    watermark: state.watermarkMs === undefined ? null : isoTime(state.watermarkMs),
    recent: [...state.recent].map(([id, ms]) => [id, isoTime(ms)]),
    page: state.page,
    ...(state.rescanFromMs === undefined ? {} : { rescanFrom: isoTime(state.rescanFromMs) }),
  };
}

export function decodeScanState(raw: CheckpointState | undefined): ContactScanState | undefined {
  if (raw === undefined) return undefined;
  if (raw['v'] !== VERSION) throw badState(`version ${String(raw['v'])}`);
  const watermark = raw['watermark'];
  const watermarkMs = watermark === null ? undefined : apiTimeMs(watermark);
  if (watermark !== null && watermarkMs === undefined) throw badState('its watermark is not a time');
  const page = raw['page'];
  if (typeof page !== 'number' || !Number.isSafeInteger(page) || page < 1) throw badState('its page is not a page number');
  const list = raw['recent'];
  if (!Array.isArray(list)) throw badState('recent is not a list');
  const recent = new Map<number, number>();
  for (const entry of list) {
    const id: unknown = Array.isArray(entry) ? entry[0] : undefined;
    const ms = Array.isArray(entry) ? apiTimeMs(entry[1]) : undefined;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || ms === undefined) throw badState('an entry of recent is not [id, time]');
    recent.set(id, ms);
  }
  const rescan = raw['rescanFrom'];
  const rescanFromMs = rescan === undefined ? undefined : apiTimeMs(rescan);
  if (rescan !== undefined && rescanFromMs === undefined) throw badState('rescanFrom is not a time');
  return { watermarkMs, recent, page, rescanFromMs };
}
