// The long crash campaign (the suite runs a short one):
//   node --import tsx test/campaigns/crash-campaign.ts --records 1000000 --kills 25 [--keep]
// SIGKILLs a csv → sqlite run at random moments, resumes it each time, and checks after every kill that the
// checkpoint never passes a record missing from the warehouse, and at the end that every record is there once.
import { Buffer } from 'node:buffer';
import { parseArgs } from 'node:util';
import { ferry } from '../support/ferry-cli.js';
import { killAndResume } from '../support/crash-loop.js';
import { checkpointOffset, idsBefore, readCheckpoint, recordOffsets } from '../support/checkpoint-probe.js';
import { contactsCsv, fakeContacts } from '../support/fake-contacts.js';
import { bulkProjectFiles, createTempProject } from '../support/temp-project.js';
import { warehouseCount, warehouseRows } from '../support/warehouse.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '500000' },
    kills: { type: 'string', default: '20' },
    'max-delay-ms': { type: 'string', default: '400' },
    keep: { type: 'boolean', default: false },
  },
});
const records = Number(values.records);
const kills = Number(values.kills);
const maxDelayMs = Number(values['max-delay-ms']);

function fail(message: string): never {
  process.stderr.write(`FAILED: ${message}\n`);
  process.exit(1);
}

const contacts = fakeContacts(records, 99);
const csv = contactsCsv(contacts);
const offsets = recordOffsets(csv, contacts);
const project = createTempProject(bulkProjectFiles(csv, { pageSize: 500 }));
process.stdout.write(`project ${project.dir}: ${records} records, ${kills} kills\n`);
const storeFile = project.path('state/ferry.db');
const warehouseFile = project.path('warehouse.db');
const started = Date.now();

const done = await killAndResume({
  projectDir: project.dir,
  storeFile,
  pipeline: 'bulk',
  sourceBytes: Buffer.byteLength(csv),
  kills,
  maxDelayMs,
  afterKill(offset, kill) {
    const written = warehouseCount(warehouseFile);
    const covered = idsBefore(offset, offsets, contacts).length;
    process.stdout.write(`kill ${kill}: checkpoint covers ${covered} records, warehouse holds ${written}\n`);
    if (written < covered) fail(`the checkpoint covers ${covered} records but only ${written} are in the warehouse`);
  },
});

const last = await ferry(['run', 'bulk'], { cwd: project.dir, timeoutMs: 3_600_000 });
if (last.code !== 0) fail(`the final run exited ${String(last.code)}: ${last.stderr}`);
const ids = warehouseRows(warehouseFile).map((row) => String(row['id']));
if (ids.length !== records || new Set(ids).size !== records) fail(`${ids.length} rows (${new Set(ids).size} distinct) for ${records} records`);
if (checkpointOffset(readCheckpoint(storeFile, 'bulk')) !== Buffer.byteLength(csv)) fail('the checkpoint is not at the end of the file');
process.stdout.write(`ok: ${done} kills, every record present exactly once, checkpoint at the end (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
if (values.keep) process.stdout.write(`kept ${project.dir}\n`);
else project.remove();
