import { inspect } from 'node:util';
import type { ActionDef, ActionRequest, ActionResult, ConnectorDef } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import { FerryError, isFerryError } from '../errors/ferry-error.js';
import type { ActionFixture } from './conformance-fixture.js';

const OUTCOMES = new Set(['created', 'updated', 'unchanged', 'deleted', 'skipped']);
const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

function conformanceFailure(message: string, hint: string): FerryError {
  return new FerryError('CONFORMANCE_FAILED', message, { hint });
}

/** The source an action request carries when the fixture names none: an open record keyed by `id`. */
export function defaultSource(connector: ConnectorDef): ActionRequest['source'] {
  return { connector: connector.name, stream: 'conformance', schema: { type: 'object' }, primaryKey: 'id' };
}

export function actionRequest(connector: ConnectorDef, fixture: ActionFixture): ActionRequest {
  return {
    input: fixture.validInput,
    options: fixture.options ?? {},
    linkedId: fixture.linkedId,
    source: fixture.source ?? defaultSource(connector),
    ...(fixture.previous === undefined ? {} : { previous: fixture.previous }),
  };
}

function checkResult(action: ActionDef, result: unknown, run: string): ActionResult {
  const where = `action '${action.name}' (${run})`;
  if (typeof result !== 'object' || result === null) throw conformanceFailure(`${where} resolved with no result`, 'resolve with { outcome, id? }');
  const { outcome, id, record } = result as Partial<ActionResult>;
  if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) {
    throw conformanceFailure(`${where} reported outcome '${String(outcome)}'`, `use one of ${[...OUTCOMES].join(', ')}`);
  }
  if (id !== undefined && (typeof id !== 'string' || id === '')) throw conformanceFailure(`${where} reported an id that is not a non-empty string`, 'ids go to the link table as strings: String(id)');
  if (record !== undefined && (typeof record !== 'object' || record === null || Array.isArray(record))) {
    throw conformanceFailure(`${where} reported a record that is not an object`, 'leave record out or return the written record');
  }
  return result as ActionResult;
}

/**
 * Runs an action with the fixture's valid input and checks what it reports; then `find` must see the record, and
 * a replay-safe action run again must not create a second one (and must report the same id).
 */
export async function checkActionRun(connector: ConnectorDef, action: ActionDef, ctx: ConnectorContext, fixture: ActionFixture): Promise<ActionResult> {
  const request = actionRequest(connector, fixture);
  const first = checkResult(action, await action.run(ctx, request), 'first run');
  if (action.find !== undefined && first.outcome !== 'deleted' && first.outcome !== 'skipped') {
    const found = await action.find(ctx, { ...request, linkedId: first.id ?? request.linkedId });
    if (found === undefined) throw conformanceFailure(`action '${action.name}': find() does not see the record run() just wrote`, 'find must look up the same record run writes (by its key or linkedId)');
  }
  if (action.idempotence !== 'none') {
    const second = checkResult(action, await action.run(ctx, { ...request, linkedId: first.id ?? request.linkedId }), 'replay');
    if (second.outcome === 'created') {
      throw conformanceFailure(`action '${action.name}' is '${action.idempotence}' but created again when replayed`, "a replay must update or leave the record, or declare idempotence 'none'");
    }
    if (first.id !== undefined && second.id !== undefined && first.id !== second.id) {
      throw conformanceFailure(`action '${action.name}' replayed wrote to ${second.id}, the first run to ${first.id}`, 'a replay must touch the same record');
    }
  }
  return first;
}

/** The failure of `run` must be a FerryError with an UPPER_SNAKE code and a hint (and the expected code, if given). */
export async function checkErrorCase(run: () => Promise<unknown>, expectedCode?: string): Promise<FerryError> {
  let failure: unknown;
  try {
    await run();
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) throw conformanceFailure('errorCase did not fail', 'make errorCase a call that must fail (a bad linkedId, a missing file)');
  if (!isFerryError(failure)) {
    throw conformanceFailure(`errorCase failed with ${failure instanceof Error ? `${failure.name}: ${failure.message}` : inspect(failure)}, not a FerryError`, 'wrap failures in FerryError with a code and a hint');
  }
  if (!UPPER_SNAKE.test(failure.code)) throw conformanceFailure(`error code '${failure.code}' is not UPPER_SNAKE`, 'use literal codes like HTTP_NOT_FOUND');
  if (failure.hint === undefined || failure.hint.trim() === '') throw conformanceFailure(`error ${failure.code} has no hint`, 'say what a person can do about it');
  if (expectedCode !== undefined && failure.code !== expectedCode) throw conformanceFailure(`errorCase failed with ${failure.code}, expected ${expectedCode}`, 'fix the code or the fixture');
  return failure;
}
