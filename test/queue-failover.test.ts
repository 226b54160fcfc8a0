import { RunQueueProducer, WORKER_LOST_ERROR } from '@ferry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointOffset, readCheckpoint } from './support/checkpoint-probe.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { waitFor, type FerryProcess } from './support/ferry-cli.js';
import { QUEUE_TEST_TIMEOUT_MS, REDIS_URL, killAll, quietLog, removeQueueKeys, runsOf, startWorker, stop, uniquePrefix } from './support/queue-harness.js';
import { createTempProject, type TempProject } from './support/temp-project.js';
import { warehouseRows } from './support/warehouse.js';

/**
 * A worker SIGKILLed mid-run: after the stall timeout another worker takes its job over, closes the lost run and
 * resumes from the checkpoint; every record ends in the warehouse exactly once and the checkpoint at the end.
 */

const CONTACTS = 40_000;
/** Short, so that the test takes seconds; generous next to the heartbeat (every half of it). */
const STALL_TIMEOUT_MS = 2_500;

let project: TempProject | undefined;
let prefix: string | undefined;
const processes: FerryProcess[] = [];

afterEach(async () => {
  await killAll(processes.splice(0));
  if (prefix !== undefined) await removeQueueKeys(prefix);
  prefix = undefined;
  project?.remove();
  project = undefined;
});

describe('a worker killed mid-run (child processes, local Redis)', () => {
  it('is replaced by another worker, which resumes from the checkpoint and finishes with every record once', { timeout: QUEUE_TEST_TIMEOUT_MS }, async () => {
    const contacts = fakeContacts(CONTACTS, 17);
    const csv = contactsCsv(contacts);
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data/contacts.csv, pageSize: 200 } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
      'data/contacts.csv': csv,
      'pipelines/bulk.yaml': `name: bulk
from: { connection: source, stream: records, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
batchSize: 200
map:
  id: id
  email: { from: email, convert: email }
  phone: { from: phone, convert: phone-e164 }
  status: status
`,
    });
    prefix = uniquePrefix();
    const storeFile = project.path('state/ferry.db');
    const stallArgs = ['--stall-timeout', String(STALL_TIMEOUT_MS), '--concurrency', '1'];

    const producer = await RunQueueProducer.connect({ url: REDIS_URL, prefix, log: quietLog });
    try {
      const doomed = startWorker(project.dir, prefix, project.path('worker-1.log'), stallArgs);
      processes.push(doomed.process);
      await doomed.ready;
      await producer.requestRun({ pipeline: 'bulk', partition: '' }, 'request');

      // Killed once it has committed part of the file, long before the end.
      await waitFor(() => (checkpointOffset(readCheckpoint(storeFile, 'bulk')) > 0 ? true : undefined), 'a first checkpoint', 45_000, 5);
      doomed.process.child.kill('SIGKILL');
      await doomed.process.exited;
      const atKill = checkpointOffset(readCheckpoint(storeFile, 'bulk'));
      expect(atKill).toBeLessThan(Buffer.byteLength(csv));
      expect(runsOf(storeFile, 'bulk').map((run) => run.status)).toEqual(['running']);

      const successor = startWorker(project.dir, prefix, project.path('worker-2.log'), stallArgs);
      processes.push(successor.process);
      await successor.ready;
      await waitFor(() => (runsOf(storeFile, 'bulk').some((run) => run.status === 'succeeded') ? true : undefined), 'the run to be resumed and finished', 60_000, 50);
      const ended = await stop(successor.process);
      expect(ended.code, ended.stderr).toBe(0);

      const [lost, resumed, ...others] = runsOf(storeFile, 'bulk');
      expect(others).toEqual([]);
      expect(lost).toMatchObject({ status: 'failed', error: WORKER_LOST_ERROR, trigger: 'request' });
      expect(resumed).toMatchObject({ status: 'succeeded', trigger: 'request' });
      // It went on from the checkpoint rather than from the top of the file.
      expect(resumed?.summary?.read).toBeLessThan(CONTACTS);
      expect(checkpointOffset(readCheckpoint(storeFile, 'bulk'))).toBe(Buffer.byteLength(csv));

      const rows = warehouseRows(project.path('warehouse.db'));
      expect(rows).toHaveLength(CONTACTS);
      expect(rows.map((row) => row['id'])).toEqual(contacts.map((c) => c.id));
    } finally {
      await producer.close();
    }
  });
});
