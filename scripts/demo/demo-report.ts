/** What one demo run did: written as JSON with `--report <file>`, and printed for people by `renderReport`. */
export interface DemoReport {
  /** Absolute path of the demo's state directory (store, warehouse, log). */
  readonly stateDir: string;
  readonly warehouseFile: string;
  /** Every pipeline run, in order, with the counts of its summary. */
  readonly flows: readonly FlowResult[];
  /** Rows per warehouse table at the end. */
  readonly warehouse: Readonly<Record<string, number>>;
  readonly ghl: {
    /** Contacts in the GHL sandbox's location at the end. */
    readonly contacts: number;
    /** The contacts ferry wrote there (created or matched) from Salesmsg customers, with their tags and follow-up task. */
    readonly fromSalesmsg: readonly GhlContactSummary[];
  };
  /** The webhook part: a Salesmsg contact made a customer while `ferry serve` ran. */
  readonly live: {
    readonly salesmsgContactId: number;
    readonly webhookStatus: number;
    readonly ghlContact: GhlContactSummary;
  };
}

export interface FlowResult {
  readonly pipeline: string;
  /** `manual`, or the trigger that started the run in `ferry serve` (e.g. `webhook:salesmsg/contact.updated`). */
  readonly trigger: string;
  readonly status: string;
  readonly summary: Readonly<Record<string, number>>;
}

export interface GhlContactSummary {
  readonly id: string;
  readonly name: string;
  readonly phone: string | null;
  readonly tags: readonly string[];
  readonly tasks: readonly string[];
}

const COUNTS: readonly (readonly [key: string, label: string])[] = [
  ['read', 'read'],
  ['created', 'created'],
  ['updated', 'updated'],
  ['unchanged', 'unchanged'],
  ['deleted', 'deleted'],
  ['skipped', 'skipped'],
  ['deadLettered', 'dead-lettered'],
  ['apiCalls', 'API calls'],
];

export function flowCounts(flow: FlowResult): string {
  return COUNTS.map(([key, label]) => `${label} ${flow.summary[key] ?? 0}`).join(' · ');
}

export function renderContact(contact: GhlContactSummary): string {
  return `${contact.name} ${contact.phone ?? ''} [${contact.tags.join(', ')}] task: ${contact.tasks.join('; ') || '—'}`;
}

/** The closing summary: counts per flow, where the data is, how to look at it, what to try next. */
export function renderReport(report: DemoReport, relativeState: string): string {
  const width = Math.max(...report.flows.map((f) => f.pipeline.length));
  const lines = ['counts per flow:'];
  for (const flow of report.flows) {
    const trigger = flow.trigger === 'manual' ? 'ferry run' : flow.trigger;
    lines.push(`  ${flow.pipeline.padEnd(width)}  ${flow.status.padEnd(9)} ${flowCounts(flow)}  (${trigger})`);
  }
  lines.push(
    '',
    `GHL sandbox: ${report.ghl.contacts} contacts, ${report.ghl.fromSalesmsg.length} written by ferry from Salesmsg customers (new, or matched on phone and updated)`,
    `warehouse:   ${report.warehouseFile}`,
    `             ${Object.entries(report.warehouse)
      .map(([table, rows]) => `${table} ${rows}`)
      .join(' · ')} rows`,
    '',
    'look inside (no sqlite3 needed):',
    `  FERRY_STATE=${relativeState} node cli/bin/ferry.js status          # runs, checkpoints, dead letters`,
    `  (cd test && node -e 'const db = new (require("better-sqlite3"))("${report.warehouseFile}"); console.table(db.prepare("SELECT id, first_name, last_name, phone, source FROM contacts ORDER BY rowid DESC LIMIT 5").all())')`,
    '',
    'next commands to try:',
    '  node cli/bin/ferry.js sandbox ghl --port 4010 --seed 1 --size 8 &          # the simulated APIs, on the ports ferry.yaml expects',
    '  node cli/bin/ferry.js sandbox salesmsg --port 4020 --seed 5 --size 20 &',
    '  node cli/bin/ferry.js plan salesmsg-leads-to-ghl                           # who would be sent to GHL, field by field',
    '  node cli/bin/ferry.js run salesmsg-leads-to-ghl ghl-contact-enrich         # the same flows on the default state (.ferry/)',
    '  node cli/bin/ferry.js serve                                                # webhooks and schedules; /healthz, /metrics',
    '  node cli/bin/ferry.js catalog ghl                                          # streams, actions, triggers, rate limits',
    '  node cli/bin/ferry.js --help                                               # every command and the exit codes',
    'The flows are pipelines/*.yaml (each file starts with what it does); the project is ferry.yaml.',
  );
  return lines.join('\n');
}
