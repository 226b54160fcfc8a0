import { describe, expect, it } from 'vitest';
import type { ActionDef, ConnectorDef, TriggerDef } from '../contract/connector.js';
import { FerryError } from '../errors/ferry-error.js';
import { checkActionRun, checkErrorCase } from './action-checks.js';
import { createTestContext } from './create-test-context.js';
import { ferryErrorOf } from './ferry-error-of.js';
import { memoryConnector } from './memory-connector.fixture.js';
import { checkTrigger } from './trigger-checks.js';

const ctx = createTestContext();

function upsertOf(connector: ConnectorDef): ActionDef {
  const [action] = connector.actions;
  if (action === undefined) throw new Error('memory connector has no action');
  return action;
}

const failureOf = (work: Promise<unknown>): Promise<FerryError> => ferryErrorOf(work, 'CONFORMANCE_FAILED');

describe('checkActionRun', () => {
  it('passes an idempotent upsert, which find then sees', async () => {
    const connector = memoryConnector();
    expect(await checkActionRun(connector, upsertOf(connector), ctx, { validInput: { id: 'a' }, invalidInput: {} })).toEqual({ outcome: 'created', id: 'a' });
  });

  it('catches an action that says idempotent but creates again on replay', async () => {
    const connector = memoryConnector({ upsertCreatesTwice: true });
    const error = await failureOf(checkActionRun(connector, upsertOf(connector), ctx, { validInput: { id: 'a' }, invalidInput: {} }));
    expect(error.message).toContain("is 'idempotent' but created again");
  });

  it('catches a malformed result and a find that does not see the write', async () => {
    const connector = memoryConnector();
    const base = upsertOf(connector);
    const badOutcome: ActionDef = { ...base, run: () => Promise.resolve({ outcome: 'done' as 'created' }) };
    expect((await failureOf(checkActionRun(connector, badOutcome, ctx, { validInput: { id: 'a' }, invalidInput: {} }))).message).toContain("outcome 'done'");
    const blindFind: ActionDef = { ...base, find: () => Promise.resolve(undefined) };
    expect((await failureOf(checkActionRun(connector, blindFind, ctx, { validInput: { id: 'b' }, invalidInput: {} }))).message).toContain('find() does not see');
  });
});

describe('checkErrorCase', () => {
  it('accepts a FerryError with an UPPER_SNAKE code and a hint', async () => {
    const error = await checkErrorCase(() => Promise.reject(new FerryError('HTTP_NOT_FOUND', 'no contact x', { hint: 'check the id' })), 'HTTP_NOT_FOUND');
    expect(error.code).toBe('HTTP_NOT_FOUND');
  });

  it('catches calls that succeed, plain errors, missing hints, odd codes and unexpected codes', async () => {
    expect((await failureOf(checkErrorCase(() => Promise.resolve('fine')))).message).toContain('did not fail');
    expect((await failureOf(checkErrorCase(() => Promise.reject(new TypeError('boom'))))).message).toContain('TypeError: boom, not a FerryError');
    expect((await failureOf(checkErrorCase(() => Promise.reject(new FerryError('NO_HINT', 'x'))))).message).toContain('has no hint');
    expect((await failureOf(checkErrorCase(() => Promise.reject(new FerryError('notFound', 'x', { hint: 'h' }))))).message).toContain('not UPPER_SNAKE');
    expect((await failureOf(checkErrorCase(() => Promise.reject(new FerryError('OTHER', 'x', { hint: 'h' })), 'WANTED'))).message).toContain('expected WANTED');
  });
});

describe('checkTrigger', () => {
  const connector = memoryConnector();
  const [stream] = connector.streams;
  const [trigger] = connector.triggers;
  const delivery = (body: unknown, token = 'secret') => ({ headers: { 'x-token': token }, rawBody: Buffer.from(JSON.stringify(body)), receivedAt: new Date() });

  it('passes a good delivery and catches records that do not fit the stream', async () => {
    if (stream === undefined || trigger === undefined) throw new Error('memory connector is incomplete');
    const event = await checkTrigger(trigger, stream, ctx, { delivery: () => delivery({ id: 'd1', item: { id: 'x', name: 'y' } }) });
    expect(event.deliveryId).toBe('d1');
    expect((await failureOf(checkTrigger(trigger, stream, ctx, { delivery: () => delivery({ id: 'd2', item: { name: 'y' } }) }))).message).toContain("has no 'id'");
    const lying: TriggerDef = { ...trigger, parse: () => ({ deliveryId: '', records: [] }) };
    expect((await failureOf(checkTrigger(lying, stream, ctx, { delivery: () => delivery({}) }))).message).toContain('empty deliveryId');
  });

  it('lets verify() reject a bad delivery with its own error', async () => {
    if (stream === undefined || trigger === undefined) throw new Error('memory connector is incomplete');
    const error: unknown = await checkTrigger(trigger, stream, ctx, { delivery: () => delivery({}, 'wrong') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WEBHOOK_REJECTED' });
  });
});
