import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempProject {
  readonly dir: string;
  path(relative: string): string;
  write(relative: string, content: string): void;
  remove(): void;
}

/** A throwaway project directory (ferry.yaml, pipelines, data) under the system temp dir. */
export function createTempProject(files: Readonly<Record<string, string>> = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
  const project: TempProject = {
    dir,
    path: (relative) => join(dir, relative),
    write(relative, content) {
      const file = join(dir, relative);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [relative, content] of Object.entries(files)) project.write(relative, content);
  return project;
}

/** ferry.yaml of a csv → sqlite project: `source` reads data/contacts.csv, `warehouse` is warehouse.db. */
export function csvToSqliteProject(extra = ''): string {
  return `store: state/ferry.db
connections:
  source:
    connector: csv
    config: { path: data/contacts.csv, primaryKey: id }
  warehouse:
    connector: sqlite
    config: { path: warehouse.db }
pipelines: [pipelines/*.yaml]
${extra}`;
}

/** A pipeline over the csv of fake contacts; `options` adds keys (batchSize, where, …) at the top level. */
export function contactsPipeline(name: string, options: { phone?: string; extra?: string } = {}): string {
  return `name: ${name}
from: { connection: source, stream: records, sync: incremental }
where: "status != 'unsubscribed'"
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  name: { expr: "$trim(first_name) & ' ' & $trim(last_name)" }
  email: { from: email, convert: email }
  phone: ${options.phone ?? '{ from: phone, convert: phone-e164 }'}
  tags: { from: tags, convert: { split: ";" } }
  status: status
  source: { const: e2e }
${options.extra ?? ''}`;
}

/**
 * Files of a csv → sqlite project with one pipeline, `bulk`, whose map has no expression (large runs stay fast):
 * the store is state/ferry.db, the warehouse warehouse.db (table contacts).
 */
export function bulkProjectFiles(csv: string, options: { pageSize: number; batchSize?: number }): Record<string, string> {
  return {
    'ferry.yaml': `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data/contacts.csv, pageSize: ${options.pageSize} } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
`,
    'data/contacts.csv': csv,
    'pipelines/bulk.yaml': `name: bulk
from: { connection: source, stream: records }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
${options.batchSize === undefined ? '' : `batchSize: ${options.batchSize}\n`}map:
  id: id
  email: { from: email, convert: email }
  phone: { from: phone, convert: phone-e164 }
  tags: { from: tags, convert: { split: ";" } }
  status: status
`,
  };
}
