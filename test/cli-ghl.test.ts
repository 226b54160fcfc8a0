import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSandbox, type ServedSandbox } from '@ferry/core';
import { ghlSandbox, sandboxTokens, SANDBOX_LOCATION_ID } from '@ferry/connector-ghl/sandbox';
import { ferry } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';

const TIME_SCALE = 20;

interface RunJson {
  runs: { status: string; exitCode: number; summary: Record<string, number>; error: { code: string; message: string; hint?: string } | null }[];
}

interface SandboxState {
  locations: { id: string; contacts: { email?: string; phone?: string; tags?: string[]; source?: string }[] }[];
}

/** csv → GoHighLevel through the real HTTP client, against the GHL sandbox on loopback, driven by the CLI. */
describe('ferry run csv → ghl (child process, GHL sandbox)', () => {
  // Unique e-mails and phones: the sandbox, like GHL, merges contacts that share one.
  const contacts = fakeContacts(40, 5).map((c, i) => ({
    ...c,
    status: 'customer' as const,
    email: `Person.${i}@Example.com`,
    phone: `(415) 555-01${String(i).padStart(2, '0')}`,
  }));
  let sandbox: ServedSandbox;
  let project: TempProject;
  // The client runs its rate windows and penalties as fast as the sandbox does (--time-scale, hidden).
  const run = (args: string[], token: string) =>
    ferry([...args, '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env: { GHL_SANDBOX_URL: sandbox.url, GHL_TOKEN: token } });

  beforeAll(async () => {
    sandbox = await serveSandbox(ghlSandbox, { host: '127.0.0.1', port: 0, seed: 1, size: 0, timeScale: TIME_SCALE, faults: { rateLimited: 0.05 } });
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data/contacts.csv } }
  crm:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", locationId: ${SANDBOX_LOCATION_ID} }
    auth: { kind: bearer, token: "\${GHL_TOKEN}" }
`,
      'data/contacts.csv': contactsCsv(contacts),
      'pipelines/to-ghl.yaml': `name: contacts-to-ghl
from: { connection: source, stream: records }
to: { connection: crm, action: contacts.upsert }
map:
  firstName: { from: first_name, convert: trim }
  lastName: { from: last_name, convert: trim }
  email: { from: email, convert: email }
  phone: { from: phone, convert: phone-e164 }
  source: { const: ferry-e2e }
then:
  - { action: contacts.tags.add, with: { tags: [ferry-e2e] } }
`,
    });
  });
  afterAll(async () => {
    project.remove();
    await sandbox.close();
  });

  it('fails with exit 3, a message and a hint when the token lacks the write scope', async () => {
    const out = await run(['run', 'contacts-to-ghl', '--json'], sandboxTokens(SANDBOX_LOCATION_ID).readOnly);
    expect(out.code, out.stderr).toBe(3);
    const result = (JSON.parse(out.stdout) as RunJson).runs[0];
    expect(result?.status).toBe('failed');
    expect(result?.error?.message).toMatch(/scope|contacts\.write/i);
    expect(result?.error?.hint).toBeDefined();
    expect(out.stderr + out.stdout).not.toContain(sandboxTokens(SANDBOX_LOCATION_ID).readOnly);
  });

  it('creates every contact, tags it, and reports API calls and 429s', async () => {
    const out = await run(['run', 'contacts-to-ghl'], sandboxTokens(SANDBOX_LOCATION_ID).full);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const calls = Number(/calls (\d+)/.exec(out.stdout)?.[1]);
    expect(calls).toBeGreaterThanOrEqual(contacts.length * 2);
    expect(out.stdout).toMatch(new RegExp(`read ${contacts.length} · created ${contacts.length}`));
    expect(out.stdout).toMatch(/429s [1-9]\d* · retries [1-9]/);

    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as SandboxState;
    const stored = state.locations.find((l) => l.id === SANDBOX_LOCATION_ID)?.contacts ?? [];
    expect(stored).toHaveLength(contacts.length);
    expect(stored.every((c) => c.tags?.includes('ferry-e2e') === true && c.source === 'ferry-e2e')).toBe(true);
    expect(new Set(stored.map((c) => c.email))).toEqual(new Set(contacts.map((_, i) => `person.${i}@example.com`)));

    const again = await run(['run', 'contacts-to-ghl', '--full', '--json'], sandboxTokens(SANDBOX_LOCATION_ID).full);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as RunJson).runs[0]?.summary).toMatchObject({ read: contacts.length, unchanged: contacts.length, apiCalls: 0 });
  });
});
