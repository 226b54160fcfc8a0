import type { StreamDef, TriggerDef, TriggerEvent } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import { FerryError } from '../errors/ferry-error.js';
import type { TriggerFixture } from './conformance-fixture.js';
import { SchemaValidators } from './schema-validator.js';
import { recordKey } from './stream-checks.js';

function conformanceFailure(message: string, hint: string): FerryError {
  return new FerryError('CONFORMANCE_FAILED', message, { hint });
}

/** A good delivery passes verify() and parse() turns it into valid records of the trigger's stream. */
export async function checkTrigger(
  trigger: TriggerDef,
  stream: StreamDef,
  ctx: ConnectorContext,
  fixture: TriggerFixture,
  validators: SchemaValidators = new SchemaValidators(),
): Promise<TriggerEvent> {
  const delivery = await fixture.delivery();
  trigger.verify?.(ctx, delivery);
  if (trigger.parse === undefined) throw conformanceFailure(`trigger '${trigger.name}' has no parse()`, 'webhook triggers turn deliveries into records with parse()');
  const event = trigger.parse(delivery);
  if (event.deliveryId === '') throw conformanceFailure(`trigger '${trigger.name}': empty deliveryId`, 'derive a stable id from the delivery (a header or the body) for de-duplication');
  const expected = fixture.records;
  if (expected === undefined ? event.records.length === 0 : event.records.length !== expected) {
    throw conformanceFailure(`trigger '${trigger.name}' yielded ${event.records.length} records, expected ${expected ?? 'at least 1'}`, 'fix parse() or the fixture');
  }
  for (const record of event.records) {
    if (recordKey(record, stream.primaryKey) === undefined) {
      throw conformanceFailure(`trigger '${trigger.name}': a record has no '${stream.primaryKey}'`, `records of stream '${stream.name}' need their primary key`);
    }
    const problem = validators.problem(stream.schema, record);
    if (problem !== undefined) throw conformanceFailure(`trigger '${trigger.name}': a record does not match stream '${stream.name}': ${problem}`, 'parse() must yield records of the stream');
  }
  return event;
}
