import type { CheckpointRow, DeadLetterRow, JsonRecord, LinkKey, LinkRow, RunRow, RunSummary } from '../contract/index.js';
import type { CheckpointDbRow, DeadLetterDbRow, InboxDbRow, LinkDbRow, LinkWriteDbRow, RunDbRow } from './statements.js';
import type { InboxDelivery } from './webhook-inbox.js';

/** From SQLite rows to the contract's shapes: NULL becomes undefined, JSON text becomes values. */

function parseJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

export function toRunRow(row: RunDbRow): RunRow {
  return {
    id: row.id,
    pipeline: row.pipeline,
    mode: row.mode,
    trigger: row.trigger,
    partition: row.partition,
    status: row.status,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt ?? undefined,
    summary: parseJson<RunSummary>(row.summary),
    error: row.error ?? undefined,
  };
}

export function toCheckpointRow(row: CheckpointDbRow): CheckpointRow {
  return {
    pipeline: row.pipeline,
    stream: row.stream,
    partition: row.partition,
    state: parseJson<JsonRecord>(row.state) ?? {},
    updatedAt: row.updatedAt,
  };
}

export function toLinkRow(key: LinkKey, row: LinkWriteDbRow): LinkRow {
  return {
    sourceConnection: key.sourceConnection,
    sourceStream: key.sourceStream,
    sourceId: key.sourceId,
    targetConnection: key.targetConnection,
    targetEntity: key.targetEntity,
    targetId: row.targetId,
    hash: row.hash ?? undefined,
    content: parseJson<JsonRecord>(row.content),
    updatedAt: row.updatedAt,
  };
}

export function toFoundLinkRow(row: LinkDbRow): LinkRow {
  return toLinkRow(row, row);
}

export function toDeadLetterRow(row: DeadLetterDbRow): DeadLetterRow {
  return {
    id: row.id,
    runId: row.runId,
    pipeline: row.pipeline,
    partition: row.partition,
    stream: row.stream,
    sourceId: row.sourceId ?? undefined,
    record: parseJson<JsonRecord>(row.record) ?? {},
    error:
      row.errorHint === null
        ? { code: row.errorCode, message: row.errorMessage }
        : { code: row.errorCode, message: row.errorMessage, hint: row.errorHint },
    attempts: row.attempts,
    status: row.status,
    createdAt: row.createdAt,
  };
}

export function toInboxDelivery(row: InboxDbRow): InboxDelivery {
  return {
    id: row.id,
    connection: row.connection,
    trigger: row.trigger,
    deliveryId: row.deliveryId,
    orderKey: row.orderKey ?? undefined,
    body: row.body,
    receivedAt: row.receivedAt,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError ?? undefined,
    processedAt: row.processedAt ?? undefined,
  };
}
