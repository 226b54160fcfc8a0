import { FerryError, type ActionBatchItem, type ActionResult } from '@ferry/core';
import type { WarehouseSession } from './pg-session.js';
import type { PlannedStatement } from './pg-write-plan.js';
import type { PostgresWarehouse } from './postgres-warehouse.js';

function isSystemic(error: unknown): boolean {
  return error instanceof FerryError && error.details['systemic'] === true;
}

/** The first statement that failed in a transaction, which the transaction did not survive. */
class FailedStatement extends Error {
  constructor(
    readonly index: number,
    readonly failure: unknown,
  ) {
    super('a statement of the batch failed');
  }
}

/** Every statement in order; the first failure ends the pass (PostgreSQL aborts the transaction with it). */
async function writeAll(session: WarehouseSession, statements: readonly PlannedStatement[]): Promise<ActionResult[]> {
  const results: ActionResult[] = [];
  for (const [index, statement] of statements.entries()) {
    try {
      results.push(statement.outcome(await session.run(statement.text, statement.values)));
    } catch (error) {
      throw new FailedStatement(index, error);
    }
  }
  return results;
}

/** Every statement but the known failure, each behind a savepoint, so a statement that fails undoes only itself. */
async function writeEachAlone(session: WarehouseSession, statements: readonly PlannedStatement[], failed: FailedStatement): Promise<ActionBatchItem[]> {
  const answers: ActionBatchItem[] = [];
  for (const [index, statement] of statements.entries()) {
    if (index === failed.index) {
      answers.push({ error: failed.failure });
      continue;
    }
    await session.run('SAVEPOINT ferry_write');
    try {
      answers.push({ result: statement.outcome(await session.run(statement.text, statement.values)) });
    } catch (error) {
      if (isSystemic(error)) throw error;
      await session.run('ROLLBACK TO SAVEPOINT ferry_write');
      answers.push({ error });
      continue;
    }
    await session.run('RELEASE SAVEPOINT ferry_write');
  }
  return answers;
}

/**
 * Writes the statements in one transaction and answers each as a single write would have: its result once the
 * transaction has committed, or its own error. A statement that fails (a value its column cannot take) fails
 * alone, as with the SQLite warehouse: the transaction is rolled back and written again without it, each
 * statement behind a savepoint (only then: savepoints cost a subtransaction each). A failure of the connection or
 * the server (or of COMMIT) fails every statement with it, since none was committed. Never rejects.
 */
export async function writeInOneTransaction(warehouse: PostgresWarehouse, statements: readonly PlannedStatement[]): Promise<ActionBatchItem[]> {
  if (statements.length === 0) return [];
  try {
    return await warehouse.session(async (session) => {
      await session.run('BEGIN');
      let answers: ActionBatchItem[];
      try {
        answers = (await writeAll(session, statements)).map((result) => ({ result }));
      } catch (error) {
        if (!(error instanceof FailedStatement) || isSystemic(error.failure)) throw error instanceof FailedStatement ? error.failure : error;
        await session.run('ROLLBACK');
        await session.run('BEGIN');
        answers = await writeEachAlone(session, statements, error);
      }
      await session.run('COMMIT');
      return answers;
    });
  } catch (failure) {
    return statements.map(() => ({ error: failure }));
  }
}
