/**
 * The demo on the simulated APIs: starts the GoHighLevel and Salesmsg sandboxes (seeded, rate windows scaled down)
 * and `ferry serve`, runs the flows of ferry.yaml by hand, then makes a Salesmsg contact a customer and lets its
 * `contact.updated` webhook reach the running service, and prints what every flow did. The state (store, warehouse,
 * log) goes to a fresh `.ferry/demo` each time, so a second demo starts over with the same seeded data.
 *
 *   node --import tsx scripts/demo/main.ts [--state <dir>] [--report <file.json>]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, type FerryOutput } from '../../test/support/ferry-cli.js';
import { warehouseCount } from '../../test/support/warehouse.js';
import { ChildProcesses } from './child-processes.js';
import { renderContact, renderReport, flowCounts, type DemoReport, type FlowResult, type GhlContactSummary } from './demo-report.js';
import {
  eventually,
  ghlLocation,
  portOf,
  salesmsgAddTag,
  salesmsgContacts,
  salesmsgEmitWebhook,
  sandboxUrl,
  serviceIdle,
  type GhlLocation,
  type SalesmsgContact,
} from './sandbox-admin.js';

export type { DemoReport } from './demo-report.js';

// The values ferry.yaml gives the sandbox connections: the sandboxes accept exactly these.
const GHL_LOCATION = 'sbxLocation000000001';
const SALESMSG_TOKEN = 'sbx-pat-full-access';
const SALESMSG_WEBHOOK_SECRET = 'sandbox-webhook-secret-0123';
/** Rate windows of the sandboxes and of ferry's limiters run this many times faster, so the demo is quick. */
const TIME_SCALE = '60';
const GHL_SEED = 1;
const GHL_SIZE = 8;
const SALESMSG_SEED = 5;
const SALESMSG_SIZE = 20;
const PLAN_LINES_SHOWN = 10;
const WAREHOUSE_TABLES = ['contacts', 'tasks', 'notes', 'appointments', 'contact_tags'];

const { values: options } = parseArgs({ options: { state: { type: 'string', default: '.ferry/demo' }, report: { type: 'string' } } });
const stateDir = isAbsolute(options.state) ? options.state : resolve(REPO_ROOT, options.state);
const insideRepo = !relative(REPO_ROOT, stateDir).startsWith('..');
const shownState = insideRepo ? relative(REPO_ROOT, stateDir) || '.' : stateDir;

const say = (line = ''): void => void process.stdout.write(`${line}\n`);
const heading = (text: string): void => say(process.stdout.isTTY ? `\n\u001b[1m== ${text}\u001b[0m` : `\n== ${text}`);

const children = new ChildProcesses();
children.stopAllOnSignals();

rmSync(stateDir, { recursive: true, force: true });
mkdirSync(stateDir, { recursive: true });

try {
  const report = await demo();
  heading('what happened');
  say(renderReport(report, shownState));
  if (options.report !== undefined) writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);
} catch (error) {
  if (!children.stopping) process.stderr.write(`\nthe demo failed: ${error instanceof Error ? error.message : String(error)}\nthe log is ${join(shownState, 'ferry.log')}\n`);
  process.exitCode = 1;
} finally {
  await children.stopAll();
}

async function demo(): Promise<DemoReport> {
  heading('sandboxes: simulated GoHighLevel and Salesmsg APIs on 127.0.0.1, with seeded data');
  const sandboxArgs = (connector: string, seed: number, size: number): string[] =>
    ['sandbox', connector, '--json', '--port', '0', '--seed', String(seed), '--size', String(size), '--time-scale', TIME_SCALE];
  const ghlProcess = children.start(sandboxArgs('ghl', GHL_SEED, GHL_SIZE), REPO_ROOT, {});
  const salesmsgProcess = children.start(sandboxArgs('salesmsg', SALESMSG_SEED, SALESMSG_SIZE), REPO_ROOT, {});
  // Validating needs no sandbox: it runs while they start.
  const validated = children.run(['validate'], REPO_ROOT, { FERRY_STATE: stateDir });
  const [ghlUrl, salesmsgUrl] = await Promise.all([sandboxUrl(ghlProcess, 'ghl'), sandboxUrl(salesmsgProcess, 'salesmsg')]);
  say(`GoHighLevel  ${ghlUrl}  (${(await ghlLocation(ghlUrl, GHL_LOCATION)).contacts.length} contacts, with tasks, notes and appointments)`);
  say(`Salesmsg     ${salesmsgUrl}  (${(await salesmsgContacts(salesmsgUrl)).length} contacts, some tagged "customer")`);

  heading('ferry validate: the project file and every pipeline');
  const validation = await validated;
  if (validation.code !== 0) throw new Error(`ferry validate exited ${String(validation.code)}:\n${validation.stdout}${validation.stderr}`);
  say(validation.stdout.trim().split('\n').at(-1));

  // ferry.yaml reads these: `${FERRY_STATE:-.ferry}`, `${GHL_SANDBOX_PORT:-4010}`, `${SALESMSG_SANDBOX_PORT:-4020}`.
  const env = { FERRY_STATE: stateDir, GHL_SANDBOX_PORT: portOf(ghlUrl), SALESMSG_SANDBOX_PORT: portOf(salesmsgUrl) };
  const ferryCommand: FerryCommand = (args) => children.run(args, REPO_ROOT, env);

  const flows: FlowResult[] = [];
  const run = async (pipelines: readonly (readonly [name: string, why: string])[]): Promise<void> => {
    heading(`ferry run ${pipelines.map(([name]) => name).join(' ')}`);
    const out = await ferryCommand(['--json', '--no-progress', 'run', ...pipelines.map(([name]) => name), '--time-scale', TIME_SCALE]);
    let parsed: { runs: { pipeline: string; status: string; summary: Record<string, number> }[] };
    try {
      parsed = JSON.parse(out.stdout) as typeof parsed;
    } catch {
      throw new Error(`ferry run exited ${String(out.code)} without a summary:\n${out.stderr}`);
    }
    for (const [name, why] of pipelines) {
      const result = parsed.runs.find((r) => r.pipeline === name);
      if (result === undefined) throw new Error(`ferry run did not run ${name}:\n${out.stderr}`);
      const flow: FlowResult = { pipeline: name, trigger: 'manual', status: result.status, summary: result.summary };
      flows.push(flow);
      say(`${name} — ${why}`);
      say(`  ${flow.status}: ${flowCounts(flow)}`);
    }
  };

  await run([
    ['sample-contacts-to-warehouse', 'the bundled CSV, cleaned, into the warehouse'],
    ['salesmsg-leads-to-ghl', 'Salesmsg customers upserted into GHL (matched on phone, then e-mail), tagged, with a follow-up task'],
    ['ghl-contact-enrich', 'GHL contacts with their tasks, notes, appointments and tags into the warehouse'],
  ]);
  say('GHL contacts written from Salesmsg customers:');
  for (const contact of fromSalesmsg(await ghlLocation(ghlUrl, GHL_LOCATION))) say(`  ${renderContact(contact)}`);
  say(`warehouse rows: ${WAREHOUSE_TABLES.map((t) => `${t} ${warehouseCount(join(stateDir, 'warehouse.db'), t)}`).join(' · ')}`);

  heading('live: ferry serve, and a Salesmsg contact who becomes a customer');
  const serve = children.start(['--json', 'serve', '--port', '0', '--time-scale', TIME_SCALE], REPO_ROOT, env);
  const serveUrl = await eventually(
    async () => {
      if (serve.child.exitCode !== null) throw new Error(`ferry serve exited: ${serve.stderr()}`);
      const line = serve.stdout().split('\n').find((l) => l.startsWith('{'));
      return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
    },
    'ferry serve to listen',
  );
  say(`ferry serve  ${serveUrl}  (webhooks at ${serveUrl}/webhooks/…, health at ${serveUrl}/healthz)`);
  const lead = (await salesmsgContacts(salesmsgUrl)).find(isReachableLead);
  if (lead === undefined) throw new Error('the seeded Salesmsg data has no lead left to convert');
  await salesmsgAddTag(salesmsgUrl, SALESMSG_TOKEN, lead.id, 'customer');
  say(`tagged Salesmsg contact #${lead.id} (${lead.full_name ?? lead.number ?? ''}) "customer"`);
  const webhookStatus = await salesmsgEmitWebhook(
    salesmsgUrl,
    `${serveUrl}/webhooks/salesmsg/contact.updated/${SALESMSG_WEBHOOK_SECRET}`,
    'contact.updated',
    lead.id,
  );
  say(`the Salesmsg sandbox sent contact.updated to ferry serve: HTTP ${webhookStatus} (accepted into the inbox)`);
  const liveContact = async (): Promise<GhlContactSummary | undefined> =>
    fromSalesmsg(await ghlLocation(ghlUrl, GHL_LOCATION)).find((c) => c.phone === lead.number && c.tasks.some((t) => t.startsWith('Follow up with')));
  await eventually(liveContact, 'the new customer in GHL');
  await serviceIdle(serveUrl);
  const live = await liveContact();
  if (live === undefined) throw new Error('the new customer is gone from GHL');
  say(`the service processed it; in GHL now:\n  ${renderContact(live)}`);
  await children.stop(serve);

  heading('ferry plan ghl-bulk-tag — the dry run: which contacts would get which standard tags');
  // Reading back the service's runs and planning need nothing from each other.
  const [serviceFlows, plan] = await Promise.all([serviceRuns(ferryCommand), ferryCommand(['plan', 'ghl-bulk-tag', '--time-scale', TIME_SCALE])]);
  const planLines = plan.stdout.trimEnd().split('\n');
  say(planLines.slice(0, PLAN_LINES_SHOWN).join('\n'));
  if (planLines.length > PLAN_LINES_SHOWN) say(`  … ${planLines.length - PLAN_LINES_SHOWN} more lines`);
  flows.push(...serviceFlows);
  await run([['ghl-bulk-tag', 'the same, for real: each contact gets the standard tags it lacks']]);

  const location = await ghlLocation(ghlUrl, GHL_LOCATION);
  const warehouseFile = join(stateDir, 'warehouse.db');
  return {
    stateDir,
    warehouseFile,
    flows,
    warehouse: Object.fromEntries(WAREHOUSE_TABLES.map((table) => [table, warehouseCount(warehouseFile, table)])),
    ghl: { contacts: location.contacts.length, fromSalesmsg: fromSalesmsg(location) },
    live: { salesmsgContactId: lead.id, webhookStatus, ghlContact: live },
  };
}

type FerryCommand = (args: readonly string[]) => Promise<FerryOutput>;

/** The runs `ferry serve` made (webhook or schedule triggered), read back with `ferry status --json`. */
async function serviceRuns(ferryCommand: FerryCommand): Promise<FlowResult[]> {
  const out = await ferryCommand(['--json', 'status', '--limit', '50']);
  const status = JSON.parse(out.stdout) as { runs: { pipeline: string; trigger: string; status: string; summary: Record<string, number> | null }[] };
  return status.runs
    .filter((r) => r.trigger !== 'manual')
    .reverse()
    .map((r) => ({ pipeline: r.pipeline, trigger: r.trigger, status: r.status, summary: r.summary ?? {} }));
}

/** A Salesmsg contact that is no customer yet and that salesmsg-leads-to-ghl would send once it becomes one. */
function isReachableLead(contact: SalesmsgContact): boolean {
  return !contact.tags.some((t) => t.label === 'customer') && contact.opt_out !== true && contact.is_blocked !== true && contact.number !== null;
}

/** The GHL contacts salesmsg-leads-to-ghl wrote (it tags them), with their tags and tasks. */
function fromSalesmsg(location: GhlLocation): GhlContactSummary[] {
  return location.contacts
    .filter((c) => (c.tags ?? []).includes('salesmsg-customer'))
    .map((c) => ({
      id: c.id,
      name: [c.firstName, c.lastName].filter((part) => part !== undefined && part !== '').join(' '),
      phone: c.phone ?? null,
      tags: c.tags ?? [],
      tasks: location.tasks.filter((t) => t.contactId === c.id).map((t) => t.title ?? ''),
    }));
}
