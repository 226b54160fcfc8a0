import type { ConnectorDef } from '@ferry/core';
import { csv } from './csv/csv-connector.js';
import { jsonl } from './jsonl/jsonl-connector.js';
import { postgres } from './postgres/postgres-connector.js';
import { sqlite } from './sqlite/sqlite-connector.js';

export { csv, jsonl, postgres, sqlite };
export { closePostgresWarehouses } from './postgres/postgres-warehouse.js';

/** The connectors that ship with ferry and need no account: files in, files and a SQLite or PostgreSQL warehouse out. */
export const builtinConnectors: readonly ConnectorDef[] = [jsonl, csv, sqlite, postgres];
