import { serveSandbox, type FaultRates, type ServedSandbox } from '@ferry/core';
import { ghlSandbox, sandboxTokens, SANDBOX_LOCATION_ID, SANDBOX_OAUTH_CLIENT } from '@ferry/connector-ghl/sandbox';
import { salesmsgSandbox, SANDBOX_ACCOUNT_ID, SANDBOX_TOKENS, type SalesmsgSandboxInstance } from '@ferry/connector-salesmsg/sandbox';
import { createTempProject, type TempProject } from '../../support/temp-project.js';

/** The Salesmsg → GHL sync the reliability checks drive: upsert matched on phone then email, tag, task. */
export const SYNC_PIPELINE = 'leads-to-ghl';
export const SYNC_TAG = 'salesmsg-lead';
export const SYNC_TASK_TITLE = 'Call the new lead';
export const SYNC_TASK_DUE = '2030-01-15T09:00:00.000Z';
/** Webhook URL secret of the Salesmsg connection (the last segment of its webhook URLs). */
export const SALESMSG_WEBHOOK_SECRET = 'reliability-url-secret-0123456789';

export interface SyncSandboxes {
  readonly salesmsg: ServedSandbox;
  readonly ghl: ServedSandbox;
  close(): Promise<void>;
}

export interface SandboxSetup {
  readonly size: number;
  readonly seed?: number;
  readonly timeScale: number;
  readonly faults?: FaultRates;
  /** GHL OAuth access tokens live this long (before time scaling). */
  readonly ghlAccessTokenTtlSeconds?: number;
  readonly ghlExtra?: Readonly<Record<string, unknown>>;
  readonly salesmsgExtra?: Readonly<Record<string, unknown>>;
}

/** Both sandboxes on loopback: Salesmsg seeded with `size` contacts, GHL empty. */
export async function startSandboxes(setup: SandboxSetup): Promise<SyncSandboxes> {
  const salesmsg = await serveSandbox(salesmsgSandbox, {
    host: '127.0.0.1',
    port: 0,
    seed: setup.seed ?? 7,
    size: setup.size,
    timeScale: setup.timeScale,
    ...(setup.faults === undefined ? {} : { faults: setup.faults }),
    ...(setup.salesmsgExtra === undefined ? {} : { extra: setup.salesmsgExtra }),
  });
  const ghl = await serveSandbox(ghlSandbox, {
    host: '127.0.0.1',
    port: 0,
    seed: 1,
    size: 0,
    timeScale: setup.timeScale,
    ...(setup.faults === undefined ? {} : { faults: setup.faults }),
    extra: {
      ...(setup.ghlAccessTokenTtlSeconds === undefined ? {} : { accessTokenTtlSeconds: setup.ghlAccessTokenTtlSeconds }),
      ...setup.ghlExtra,
    },
  });
  return {
    salesmsg,
    ghl,
    async close() {
      await Promise.all([salesmsg.close(), ghl.close()]);
    },
  };
}

export interface ProjectSetup {
  /** `bearer` (a Private Integration Token from the env) or `oauth2` (tokens from `ferry auth ghl`). */
  readonly ghlAuth: 'bearer' | 'oauth2';
  readonly concurrency?: number;
  readonly batchSize?: number;
  /** Adds `on: [{ webhook: salesmsg/contact.created }]` for `ferry serve`. */
  readonly webhook?: boolean;
  readonly log?: string;
}

export function syncProjectFiles(setup: ProjectSetup): Record<string, string> {
  const ghlAuth =
    setup.ghlAuth === 'bearer'
      ? 'auth: { kind: bearer, token: "${GHL_TOKEN}" }'
      : `auth: { kind: oauth2, clientId: ${SANDBOX_OAUTH_CLIENT.clientId}, clientSecret: "\${GHL_CLIENT_SECRET}" }`;
  return {
    'ferry.yaml': `store: state/ferry.db
connections:
  salesmsg:
    connector: salesmsg
    config: { baseUrl: "\${SALESMSG_URL}", accountId: ${SANDBOX_ACCOUNT_ID}, pageSize: 50, webhookSecret: "${SALESMSG_WEBHOOK_SECRET}" }
    auth: { kind: bearer, token: "\${SALESMSG_TOKEN}" }
  ghl:
    connector: ghl
    config: { baseUrl: "\${GHL_URL}", locationId: ${SANDBOX_LOCATION_ID} }
    ${ghlAuth}
pipelines: [pipelines/*.yaml]
${setup.log ?? ''}
`,
    [`pipelines/${SYNC_PIPELINE}.yaml`]: `name: ${SYNC_PIPELINE}
${setup.webhook === true ? 'on:\n  - webhook: salesmsg/contact.created\n' : ''}from: { connection: salesmsg, stream: contacts, sync: incremental }
where: "'lead' in tags.label"
to: { connection: ghl, action: contacts.upsert, match: [phone, email] }
concurrency: ${setup.concurrency ?? 8}
batchSize: ${setup.batchSize ?? 20}
map:
  firstName: first_name
  lastName: last_name
  phone: { from: number, convert: phone-e164 }
  email: { from: email, convert: email }
  source: { const: Salesmsg }
then:
  - { action: contacts.tags.add, with: { tags: [${SYNC_TAG}] } }
  - action: tasks.create
    map:
      title: { const: "${SYNC_TASK_TITLE}" }
      dueDate: { const: "${SYNC_TASK_DUE}" }
`,
  };
}

export function createSyncProject(setup: ProjectSetup): TempProject {
  return createTempProject(syncProjectFiles(setup));
}

/** Environment of a `ferry` process pointed at the sandboxes. */
export function syncEnv(sandboxes: SyncSandboxes, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    SALESMSG_URL: sandboxes.salesmsg.url,
    SALESMSG_TOKEN: SANDBOX_TOKENS.full,
    GHL_URL: sandboxes.ghl.url,
    GHL_TOKEN: sandboxTokens(SANDBOX_LOCATION_ID).full,
    GHL_CLIENT_SECRET: SANDBOX_OAUTH_CLIENT.clientSecret,
    ...extra,
  };
}

/**
 * Renames `count` qualifying source contacts as a person in the Salesmsg app would (not through the rate-limited API): an
 * incremental run then has updates to carry, whatever the earlier runs already finished.
 */
export function editSourceContacts(sandboxes: SyncSandboxes, count: number, random: () => number): void {
  const instance = sandboxes.salesmsg.instance as SalesmsgSandboxInstance;
  const contacts = (instance.snapshot() as unknown as { contacts: { id: number; tags: { label?: string }[] }[] }).contacts.filter((c) =>
    c.tags.some((t) => t.label === 'lead'),
  );
  for (let i = 0; i < count && contacts.length > 0; i++) {
    const contact = contacts[Math.floor(random() * contacts.length)];
    if (contact !== undefined) instance.editContact(contact.id, { first_name: `Edited${Math.floor(random() * 1e9)}` });
  }
}
