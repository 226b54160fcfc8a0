import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ConnectorContext } from '@ferry/core';
import { ColumnCatalog } from './column-catalog.js';
import { sqliteError } from './sqlite-errors.js';
import { WarehouseTable, type TableColumn } from './warehouse-table.js';

interface Waiting {
  resolve(): void;
  reject(error: unknown): void;
}

/** What one work of `writeEach` came to: its result (committed), or its error. */
export type WriteAnswer<T> = { readonly result: T } | { readonly error: unknown };

/**
 * One SQLite warehouse file: a single connection (WAL, synchronous=NORMAL) shared by every run of the process
 * (see `warehouseFor`), its tables, and group commit for writes.
 *
 * Group commit: writes that arrive while a transaction is open join it, and the transaction commits on the next
 * turn of the event loop; each write's promise resolves only after that COMMIT. So nothing is acknowledged before it
 * is committed (a killed process loses no acknowledged row), while the writes the engine has in flight at once share
 * one commit instead of paying one each.
 */
export class Warehouse {
  private readonly tables = new Map<string, WarehouseTable>();
  private readonly catalog: ColumnCatalog;
  private waiting: Waiting[] = [];
  private writable = false;

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
  ) {
    this.catalog = new ColumnCatalog(db);
  }

  /**
   * Opens (and with `create`, creates) the file; undefined when it does not exist and `create` is false. Only a
   * file opened for writing is switched to WAL: reading a table back leaves someone else's database as it was.
   */
  static open(file: string, options: { readonly create: boolean }): Warehouse | undefined {
    if (!options.create && !existsSync(file)) return undefined;
    let db: Database.Database | undefined;
    try {
      if (options.create) mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { fileMustExist: !options.create });
      const warehouse = new Warehouse(file, db);
      if (options.create) warehouse.prepareForWrites();
      return warehouse;
    } catch (error) {
      db?.close();
      throw sqliteError(error, file);
    }
  }

  /** WAL, so readers never block the writer, and synchronous=NORMAL, so a commit costs no fsync. */
  prepareForWrites(): void {
    if (this.writable) return;
    this.guard(() => {
      this.db.pragma('journal_mode = WAL');
      // With WAL, NORMAL keeps every commit across a process crash; only a power loss may drop the newest ones.
      this.db.pragma('synchronous = NORMAL');
    });
    this.writable = true;
  }

  /** An existing table (case-insensitive, like SQLite), or undefined. */
  table(name: string): WarehouseTable | undefined {
    const key = name.toLowerCase();
    const cached = this.tables.get(key);
    if (cached !== undefined) return cached;
    const loaded = this.guard(() => WarehouseTable.load(this.db, this.catalog, name));
    if (loaded !== undefined) this.tables.set(key, loaded);
    return loaded;
  }

  createTable(name: string, primaryKey: TableColumn, others: readonly TableColumn[]): WarehouseTable {
    const table = this.guard(() => WarehouseTable.create(this.db, this.catalog, name, primaryKey, others));
    this.tables.set(name.toLowerCase(), table);
    return table;
  }

  tableNames(): string[] {
    return this.guard(() =>
      this.db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_ferry\\_%' ESCAPE '\\' ORDER BY name")
        .all()
        .map((row) => row.name),
    );
  }

  /** Runs a read and turns SQLite errors into FerryErrors. */
  guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw sqliteError(error, this.file);
    }
  }

  /** Runs a write inside the current group transaction; resolves once that transaction has committed. */
  write<T>(work: () => T): Promise<T> {
    try {
      this.joinTransaction();
    } catch (error) {
      return Promise.reject(sqliteError(error, this.file));
    }
    let result: T;
    try {
      result = work();
    } catch (error) {
      // Most failures undo only the failed statement; some (disk full, I/O) roll back the whole transaction, and
      // with it the rows of every write waiting in it.
      if (!this.db.inTransaction) this.abandon(error);
      return Promise.reject(sqliteError(error, this.file));
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ resolve: () => resolve(result), reject });
    });
  }

  /**
   * `write` for many works with one promise: each work joins the group transaction in turn and gets the answer its
   * own `write` would have settled with (its result once committed, or its error). Resolves once the transaction
   * holding the last successful work has committed; never rejects.
   */
  writeEach<T>(works: readonly (() => T)[]): Promise<WriteAnswer<T>[]> {
    const answers: WriteAnswer<T>[] = [];
    /** Answers whose rows sit in the open transaction: they become its error if it is lost. */
    let open: number[] = [];
    for (const work of works) {
      const index = answers.length;
      try {
        this.joinTransaction();
      } catch (error) {
        answers.push({ error: sqliteError(error, this.file) });
        continue;
      }
      try {
        answers.push({ result: work() });
        open.push(index);
      } catch (error) {
        answers.push({ error: sqliteError(error, this.file) });
        if (!this.db.inTransaction) {
          // The whole transaction was rolled back, with the rows of the earlier works in it (see `write`).
          const failure = sqliteError(error, this.file);
          for (const lost of open) answers[lost] = { error: failure };
          open = [];
          this.abandon(error);
        }
      }
    }
    if (open.length === 0) return Promise.resolve(answers);
    const committed = open;
    return new Promise((resolve) => {
      this.waiting.push({
        resolve: () => resolve(answers),
        reject: (failure) => {
          for (const lost of committed) answers[lost] = { error: failure };
          resolve(answers);
        },
      });
    });
  }

  /**
   * Table shapes are read again at their next use: another process may have changed them since the last run that
   * used this connection.
   */
  forgetShapes(): void {
    this.tables.clear();
  }

  close(): void {
    if (this.db.inTransaction) this.commit();
    this.db.close();
  }

  private commit(): void {
    const waiting = this.waiting;
    this.waiting = [];
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } catch (error) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // The connection is unusable either way; the writes below are rejected with the COMMIT's error.
      }
      this.tables.clear();
      const failure = sqliteError(error, this.file);
      for (const write of waiting) write.reject(failure);
      return;
    }
    for (const write of waiting) write.resolve();
  }

  /** Opens the group transaction unless one is open; it commits on the next turn of the event loop. */
  private joinTransaction(): void {
    if (this.db.inTransaction) return;
    this.db.exec('BEGIN');
    setImmediate(() => this.commit());
  }

  /** The transaction is gone: fail the writes that were in it, and forget table shapes its DDL may have changed. */
  private abandon(error: unknown): void {
    const waiting = this.waiting;
    this.waiting = [];
    this.tables.clear();
    const failure = sqliteError(error, this.file);
    for (const write of waiting) write.reject(failure);
  }
}

/**
 * One connection per warehouse file in this process, by the file's inode. Runs side by side in one process (the
 * partitions of a pipeline in a worker) write through it and share its group commit: with a connection each, one
 * run's open transaction would lock the other out, and SQLite's busy wait blocks the very event loop that would
 * commit it. A file replaced since (deleted, restored from a backup) gets a connection of its own.
 */
const openWarehouses = new Map<string, { readonly warehouse: Warehouse; readonly inode: number }>();

function inodeOf(file: string): number | undefined {
  return statSync(file, { throwIfNoEntry: false })?.ino;
}

function sharedWarehouse(file: string, options: { readonly create: boolean }): Warehouse | undefined {
  const open = openWarehouses.get(file);
  const inode = inodeOf(file);
  if (open !== undefined && open.inode === inode) {
    open.warehouse.forgetShapes();
    if (options.create) open.warehouse.prepareForWrites();
    return open.warehouse;
  }
  // The old connection (if any) may still serve a run that started before the file was replaced: it is left open.
  openWarehouses.delete(file);
  const warehouse = Warehouse.open(file, options);
  const opened = warehouse === undefined ? undefined : inodeOf(file);
  if (warehouse !== undefined && opened !== undefined) openWarehouses.set(file, { warehouse, inode: opened });
  return warehouse;
}

/** The run's connection to a warehouse file: looked up once per run, shared with the process's other runs. */
export function warehouseFor(ctx: ConnectorContext, file: string, options: { readonly create: boolean }): Warehouse | undefined {
  const key = `builtin:sqlite:${file}`;
  const cached = ctx.cache.get(key);
  if (cached instanceof Warehouse) {
    if (options.create) cached.prepareForWrites();
    return cached;
  }
  const warehouse = sharedWarehouse(file, options);
  if (warehouse !== undefined) ctx.cache.set(key, warehouse);
  return warehouse;
}
