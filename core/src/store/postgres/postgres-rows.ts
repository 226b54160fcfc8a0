import type { CheckpointRow, DeadLetterRow, JsonRecord, LinkKey, LinkRow, RunRow, RunStatus, RunSummary } from '../../contract/index.js';
import type { InboxDelivery, InboxStatus } from '../webhook-inbox.js';

/**
 * Rows as the PostgreSQL store's queries return them (columns aliased to camelCase): bigint ids as decimal
 * strings, timestamptz as Date, json already parsed, bytea as bytes, NULL as null. The mappers below turn them
 * into the contract's shapes, as rows.ts does for SQLite.
 */

export interface RunPgRow {
  id: string;
  pipeline: string;
  mode: string;
  trigger: string;
  partition: string;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  summary: RunSummary | null;
  error: string | null;
}

export interface CheckpointPgRow {
  pipeline: string;
  stream: string;
  partition: string;
  state: JsonRecord;
  updatedAt: Date;
}

export interface LinkWritePgRow {
  targetId: string;
  updatedAt: Date;
  hash: string | null;
  content: JsonRecord | null;
}

export interface LinkPgRow extends LinkWritePgRow {
  sourceConnection: string;
  sourceStream: string;
  sourceId: string;
  targetConnection: string;
  targetEntity: string;
}

export interface DeadLetterPgRow {
  id: string;
  runId: string;
  pipeline: string;
  partition: string;
  stream: string;
  sourceId: string | null;
  record: JsonRecord;
  errorCode: string;
  errorMessage: string;
  errorHint: string | null;
  attempts: number;
  status: DeadLetterRow['status'];
  createdAt: Date;
}

export interface InboxPgRow {
  id: string;
  connection: string;
  trigger: string;
  deliveryId: string;
  orderKey: string | null;
  /** A Buffer in the worker; a plain Uint8Array once it has crossed to this thread. */
  body: Uint8Array;
  receivedAt: Date;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
  processedAt: Date | null;
}

export function toRunRow(row: RunPgRow): RunRow {
  return {
    id: Number(row.id),
    pipeline: row.pipeline,
    mode: row.mode,
    trigger: row.trigger,
    partition: row.partition,
    status: row.status,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString(),
    summary: row.summary ?? undefined,
    error: row.error ?? undefined,
  };
}

export function toCheckpointRow(row: CheckpointPgRow): CheckpointRow {
  return { pipeline: row.pipeline, stream: row.stream, partition: row.partition, state: row.state, updatedAt: row.updatedAt.toISOString() };
}

export function toLinkRow(key: LinkKey, row: LinkWritePgRow): LinkRow {
  return {
    sourceConnection: key.sourceConnection,
    sourceStream: key.sourceStream,
    sourceId: key.sourceId,
    targetConnection: key.targetConnection,
    targetEntity: key.targetEntity,
    targetId: row.targetId,
    hash: row.hash ?? undefined,
    content: row.content ?? undefined,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toFoundLinkRow(row: LinkPgRow): LinkRow {
  return toLinkRow(row, row);
}

export function toDeadLetterRow(row: DeadLetterPgRow): DeadLetterRow {
  return {
    id: Number(row.id),
    runId: Number(row.runId),
    pipeline: row.pipeline,
    partition: row.partition,
    stream: row.stream,
    sourceId: row.sourceId ?? undefined,
    record: row.record,
    error:
      row.errorHint === null
        ? { code: row.errorCode, message: row.errorMessage }
        : { code: row.errorCode, message: row.errorMessage, hint: row.errorHint },
    attempts: row.attempts,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toInboxDelivery(row: InboxPgRow): InboxDelivery {
  return {
    id: Number(row.id),
    connection: row.connection,
    trigger: row.trigger,
    deliveryId: row.deliveryId,
    orderKey: row.orderKey ?? undefined,
    body: Buffer.from(row.body.buffer, row.body.byteOffset, row.body.byteLength),
    receivedAt: row.receivedAt.toISOString(),
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError ?? undefined,
    processedAt: row.processedAt?.toISOString(),
  };
}
