import type { JsonRecord } from '../contract/json-schema.js';
import { canonicalJson } from '../util/content-hash.js';
import type { RecordGate } from './composed-where.js';
import type { TargetLookup } from './run-lookups.js';

export interface EchoGuardOptions {
  /** Links to the source's records (ferry's own writes to the source connection, under the entity, e.g. `contacts`). */
  readonly writes: TargetLookup;
  readonly idOf: (record: JsonRecord) => string | undefined;
  /** Called for each echo (a debug line). */
  readonly onEcho?: (id: string, writtenBy: string) => void;
}

/** The record shows every field exactly as ferry last wrote it. */
export function showsWrittenContent(record: JsonRecord, content: JsonRecord): boolean {
  const fields = Object.entries(content);
  return fields.length > 0 && fields.every(([field, value]) => canonicalJson(record[field]) === canonicalJson(value));
}

/**
 * `skipEchoes`: a record that ferry itself wrote (its id is the destination of a link) and that still shows exactly
 * the content ferry wrote is the echo of that write — a webhook about it, or a read that finds it — and fails the
 * gate. Without this, two pipelines syncing both ways would keep answering each other's writes.
 */
export function echoGuard(options: EchoGuardOptions): RecordGate & { prefetch(records: readonly JsonRecord[]): void } {
  return {
    expression: 'not an echo of ferry’s own write',
    isAsync: false,
    /** The links to a page's records, in one store call before they are tested. */
    prefetch(records) {
      const ids: string[] = [];
      for (const record of records) {
        const id = options.idOf(record);
        if (id !== undefined) ids.push(id);
      }
      options.writes.prefetch(ids);
    },
    test(record) {
      const id = options.idOf(record);
      if (id === undefined) return true;
      const link = options.writes.get(id);
      if (link?.content === undefined || !showsWrittenContent(record, link.content)) return true;
      options.onEcho?.(id, `${link.sourceConnection}/${link.sourceStream}/${link.sourceId}`);
      return false;
    },
  };
}
