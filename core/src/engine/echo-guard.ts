import type { JsonRecord } from '../contract/json-schema.js';
import type { Store } from '../contract/store.js';
import { canonicalJson } from '../util/content-hash.js';
import type { RecordGate } from './composed-where.js';

export interface EchoGuardOptions {
  readonly store: Store;
  /** The source connection: where ferry's own writes would have gone. */
  readonly connection: string;
  /** The entity ferry's writes to this kind of record are linked under (`contacts`). */
  readonly entity: string;
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
export function echoGuard(options: EchoGuardOptions): RecordGate {
  return {
    expression: 'not an echo of ferry’s own write',
    isAsync: false,
    test(record) {
      const id = options.idOf(record);
      if (id === undefined) return true;
      const link = options.store.findLinkByTarget(options.connection, options.entity, id);
      if (link?.content === undefined || !showsWrittenContent(record, link.content)) return true;
      options.onEcho?.(id, `${link.sourceConnection}/${link.sourceStream}/${link.sourceId}`);
      return false;
    },
  };
}
