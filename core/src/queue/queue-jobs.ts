import { FerryError } from '../errors/ferry-error.js';

/**
 * The payloads on the queues. Each carries its version `v`: a worker checks every payload it takes, so a job
 * written by another ferry version (or by hand) fails with a clear error instead of running something else.
 */
export const JOB_VERSION = 1;

/** What asked for a run: a schedule tick, or an explicit request (an API call, an operator). */
export type RunJobTrigger = 'schedule' | 'request';

export interface RunJobData {
  readonly v: typeof JOB_VERSION;
  readonly pipeline: string;
  readonly partition: string;
  readonly trigger: RunJobTrigger;
}

export interface TickJobData {
  readonly v: typeof JOB_VERSION;
  readonly pipeline: string;
}

export interface InboxJobData {
  readonly v: typeof JOB_VERSION;
  readonly connection: string;
}

type Fields = Readonly<Record<string, unknown>>;

function invalid(kind: string, problem: string): FerryError {
  return new FerryError('QUEUE_JOB_INVALID', `a ${kind} job on the queue is not one ferry wrote: ${problem}`, {
    hint: 'the job is dropped; check what else writes to this Redis prefix (--queue-prefix)',
  });
}

function fieldsOf(kind: string, data: unknown): Fields {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw invalid(kind, 'its data is not an object');
  const fields = data as Fields;
  const version = fields['v'];
  if (typeof version === 'number' && version > JOB_VERSION) {
    throw new FerryError('QUEUE_JOB_VERSION', `a ${kind} job on the queue was written by a newer ferry (version ${version})`, {
      hint: 'upgrade this worker to the version `ferry serve` runs',
    });
  }
  if (version !== JOB_VERSION) throw invalid(kind, `its version is ${JSON.stringify(version)}`);
  return fields;
}

function text(kind: string, fields: Fields, name: string, options: { readonly empty?: boolean } = {}): string {
  const value = fields[name];
  if (typeof value !== 'string' || (value === '' && options.empty !== true)) throw invalid(kind, `'${name}' is not a${options.empty === true ? '' : ' non-empty'} string`);
  return value;
}

export function parseRunJob(data: unknown): RunJobData {
  const fields = fieldsOf('run', data);
  const trigger = fields['trigger'];
  if (trigger !== 'schedule' && trigger !== 'request') throw invalid('run', `'trigger' is ${JSON.stringify(trigger)}`);
  return { v: JOB_VERSION, pipeline: text('run', fields, 'pipeline'), partition: text('run', fields, 'partition', { empty: true }), trigger };
}

export function parseTickJob(data: unknown): TickJobData {
  const fields = fieldsOf('tick', data);
  return { v: JOB_VERSION, pipeline: text('tick', fields, 'pipeline') };
}

export function parseInboxJob(data: unknown): InboxJobData {
  const fields = fieldsOf('inbox', data);
  return { v: JOB_VERSION, connection: text('inbox', fields, 'connection') };
}
