import type { ConnectorDef } from '@ferry/core';
import { csv } from './csv/csv-connector.js';
import { jsonl } from './jsonl/jsonl-connector.js';
import { sqlite } from './sqlite/sqlite-connector.js';

export { csv, jsonl, sqlite };

/** The connectors that ship with ferry and need no account: files in, files and a SQLite warehouse out. */
export const builtinConnectors: readonly ConnectorDef[] = [jsonl, csv, sqlite];
