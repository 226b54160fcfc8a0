import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSandbox, type ServedSandbox } from '@ferry/core';
import { ghlSandbox, sandboxTokens, SANDBOX_LOCATION_ID } from '@ferry/connector-ghl/sandbox';
import { ferry, spawnFerry, waitFor, type FerryProcess } from './support/ferry-cli.js';
import { createTempProject, csvToSqliteProject, type TempProject } from './support/temp-project.js';

/**
 * `ferry studio` in a real browser (Debian's Chromium driven by playwright-core): drag a field, pick a convert,
 * watch the preview change, save, and the CLI accepts the file; the same by keyboard alone; and the server's
 * refusals (no token, a path outside the project). `STUDIO_SCREENSHOT=1` also refreshes studio/docs/mapping.png,
 * the README's picture, from the GHL mapping screen.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const STUDIO_DIR = fileURLToPath(new URL('../studio/', import.meta.url));
const SCREENSHOT = join(STUDIO_DIR, 'docs', 'mapping.png');
const haveChromium = existsSync(CHROMIUM);
const POLL = { timeout: 15_000, interval: 100 };
if (!haveChromium && process.env['CI'] === undefined) {
  process.stderr.write(`studio browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium); CI installs it and runs them\n`);
}

const CSV = `id,first_name,last_name,email,phone,tags,status
c-1,  Ada ,Lovelace,ADA@Example.COM,(213) 373-4253,vip;lead,customer
c-2,Alan,Turing,Alan.Turing@EXAMPLE.org,415-555-0123,lead,unsubscribed
c-3,Grace,Hopper,grace@example.net,+1 212 555 0188,,customer
`;

const PIPELINE = `# yaml-language-server: $schema=../config/pipeline.schema.json
# Contacts into the warehouse (edited in ferry studio).
name: contacts-to-warehouse
from: { connection: source, stream: records, sync: incremental }
where: "status != 'unsubscribed'" # the unsubscribed stay out
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  # phones in E.164
  phone: { from: phone, convert: phone-e164 }
`;

/** Builds the web app when a checkout has not yet (scripts/install.sh normally does). */
function ensureBuilt(): void {
  if (existsSync(join(STUDIO_DIR, 'dist', 'index.html'))) return;
  const vite = join(dirname(createRequire(join(STUDIO_DIR, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  const built = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: STUDIO_DIR, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the studio failed:\n${built.stderr}`);
}

/** Drags with real pointer events, in small steps, as a hand would (dnd-kit starts a drag after 4 px). */
async function drag(page: Page, from: string, to: string): Promise<void> {
  const source = await page.locator(from).boundingBox();
  const target = await page.locator(to).boundingBox();
  if (source === null || target === null) throw new Error(`cannot drag ${from} onto ${to}: not visible`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(source.x + source.width / 2 + 8, source.y + source.height / 2 + 8, { steps: 4 });
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  await page.mouse.up();
}

describe.skipIf(!haveChromium && process.env['CI'] === undefined)('ferry studio in a browser (csv → sqlite project)', () => {
  let project: TempProject;
  let studio: FerryProcess;
  let browser: Browser;
  let url: string;
  let origin: string;
  let token: string;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
    ensureBuilt();
    project = createTempProject({ 'ferry.yaml': csvToSqliteProject(), 'data/contacts.csv': CSV, 'pipelines/contacts.yaml': PIPELINE });
    studio = spawnFerry(['--json', 'studio', '--no-open', '--limit', '10'], { cwd: project.dir, timeoutMs: 170_000 });
    const line = await waitFor(() => studio.stdout().split('\n').find((text) => text.startsWith('{')), `the studio's URL (stderr: ${studio.stderr()})`, 30_000);
    ({ url, origin } = JSON.parse(line) as { url: string; origin: string });
    token = new URL(url).searchParams.get('token') ?? '';
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    studio?.child.kill('SIGTERM');
    await studio?.exited.catch(() => undefined);
    project?.remove();
  });

  async function openStudio(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    // Fail fast and let expect.poll retry, instead of one call waiting out the test.
    page.setDefaultTimeout(2_000);
    await page.goto(url);
    // The token was traded for a cookie and dropped from the address bar.
    expect(page.url()).toBe(`${origin}/`);
    await page.locator('[data-target-field="phone"]').waitFor({ timeout: 15_000 });
    return page;
  }

  it('prints a loopback URL with a token of at least 128 bits', () => {
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('maps by drag and drop with a convert, previews it on the records, saves YAML the CLI accepts', async () => {
    const page = await openStudio();
    const cell = (field: string, row: number) => page.locator(`[data-preview-row="${row}"] [data-preview-cell="${field}"]`);
    await expect.poll(async () => cell('phone', 0).getAttribute('data-value'), POLL).toBe('"+12133734253"');
    await expect.poll(async () => page.getByTestId('plan-counts').textContent(), POLL).toContain('2 create');

    await page.locator('input[name="new-target-field"]').fill('email');
    await page.locator('input[name="new-target-field"]').press('Enter');
    await drag(page, '[data-source-field="email"]', '[data-target-field="email"]');
    await expect.poll(async () => page.locator('[data-target-field="email"] .path-input').inputValue(), POLL).toBe('email');
    await expect.poll(async () => cell('email', 0).getAttribute('data-value'), POLL).toBe('"ADA@Example.COM"');

    await page.locator('select[data-add-convert="email"]').selectOption('email');
    await page.locator('[data-add-convert-button="email"]').click();
    await expect.poll(async () => cell('email', 0).getAttribute('data-value'), POLL).toBe('"ada@example.com"');
    await expect.poll(async () => cell('email', 1).getAttribute('data-value'), POLL).toBe('"alan.turing@example.org"');
    await page.getByRole('tab', { name: 'YAML' }).click();
    await expect.poll(async () => page.getByTestId('yaml-preview').textContent(), POLL).toContain('email: { from: email, convert: email }');
    await page.getByRole('tab', { name: 'records' }).click();

    const shot = join(project.dir, 'mapping.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');

    await page.getByTestId('save').click();
    await expect.poll(async () => page.getByTestId('status').textContent(), POLL).toContain('saved pipelines/contacts.yaml');
    const saved = readFileSync(project.path('pipelines/contacts.yaml'), 'utf8');
    expect(saved).toBe(`${PIPELINE}  email: { from: email, convert: email }\n`);

    const validate = await ferry(['validate'], { cwd: project.dir });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const dryRun = await ferry(['run', 'pipelines/contacts.yaml', '--dry-run'], { cwd: project.dir });
    expect(dryRun.code, dryRun.stdout + dryRun.stderr).toBe(0);
    await page.close();
  });

  it('does the same by keyboard alone: pick with Enter, drop with Enter, convert by typing, save with Ctrl+S', async () => {
    const page = await openStudio();
    const newField = page.locator('input[name="new-target-field"]');
    await newField.focus();
    await page.keyboard.type('given_name');
    await page.keyboard.press('Enter');
    await page.locator('[data-source-field="first_name"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => page.getByTestId('announcer').textContent(), POLL).toContain('picked first_name');
    await page.locator('[data-drop-target="given_name"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => page.locator('[data-target-field="given_name"] .path-input').inputValue(), POLL).toBe('first_name');
    await expect.poll(async () => page.locator('[data-preview-row="0"] [data-preview-cell="given_name"]').getAttribute('data-value'), POLL).toBe('"  Ada "');

    await page.locator('select[data-add-convert="given_name"]').focus();
    await page.keyboard.type('trim');
    await page.keyboard.press('Enter');
    await expect.poll(async () => page.locator('[data-preview-row="0"] [data-preview-cell="given_name"]').getAttribute('data-value'), POLL).toBe('"Ada"');
    await page.keyboard.press('Control+s');
    await expect.poll(async () => page.getByTestId('status').textContent(), POLL).toContain('saved pipelines/contacts.yaml');
    const saved = readFileSync(project.path('pipelines/contacts.yaml'), 'utf8');
    expect(saved).toContain('# phones in E.164\n  phone: { from: phone, convert: phone-e164 }');
    expect(saved).toContain('  given_name: { from: first_name, convert: trim }\n');
    const validate = await ferry(['validate'], { cwd: project.dir });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    await page.close();
  });

  it('answers 401 without the token and refuses to save outside the project', async () => {
    expect((await fetch(`${origin}/api/project`)).status).toBe(401);
    expect((await fetch(`${origin}/`)).status).toBe(401);
    const draft = { name: 'escape', from: { connection: 'source', stream: 'records' }, to: { connection: 'warehouse', action: 'upsert' }, map: { id: 'id' } };
    const headers = { 'content-type': 'application/json', 'x-ferry-studio-token': token };
    const unauthorized = await fetch(`${origin}/api/save`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ file: 'pipelines/escape.yaml', draft }) });
    expect(unauthorized.status).toBe(401);
    const outside = await fetch(`${origin}/api/save`, { method: 'POST', headers, body: JSON.stringify({ file: '../escape.yaml', draft }) });
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { error: { code: string } }).error.code).toBe('STUDIO_PATH_OUTSIDE');
    expect(existsSync(join(project.dir, '..', 'escape.yaml'))).toBe(false);
    expect(existsSync(project.path('pipelines/escape.yaml'))).toBe(false);
  });
});

const SIGNUPS_CSV = `id,first_name,last_name,email,phone,tags,status
c-1,Ada,Lovelace,ADA@Example.COM,(213) 373-4253,vip;lead,customer
c-2,Grace,Hopper,grace@example.net,+1 212 555 0188,,customer
`;

const SIGNUPS_PIPELINE = `# Sign-ups into GoHighLevel.
name: signups-to-ghl
from: { connection: source, stream: records }
to: { connection: crm, action: contacts.upsert }
map:
  firstName: first_name
  email: { from: email, convert: email } # GHL matches on it
`;

/**
 * Against a destination with a real schema: GoHighLevel's contacts.upsert, served by the GHL sandbox on loopback.
 * A text column dropped on GHL's `tags` list is flagged as a type mismatch, the suggested convert fixes it, and
 * the preview shows what the API would receive.
 */
describe.skipIf(!haveChromium && process.env['CI'] === undefined)('ferry studio against the GHL sandbox (csv → ghl project)', () => {
  let sandbox: ServedSandbox;
  let project: TempProject;
  let studio: FerryProcess;
  let browser: Browser;
  let env: Record<string, string>;
  let page: Page;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
    ensureBuilt();
    sandbox = await serveSandbox(ghlSandbox, { host: '127.0.0.1', port: 0, seed: 3, size: 3, timeScale: 0 });
    env = { GHL_SANDBOX_URL: sandbox.url, GHL_TOKEN: sandboxTokens(SANDBOX_LOCATION_ID).full };
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data/signups.csv, primaryKey: id } }
  crm:
    connector: ghl
    description: GoHighLevel (the sandbox)
    config: { baseUrl: "\${GHL_SANDBOX_URL}", locationId: ${SANDBOX_LOCATION_ID} }
    auth: { kind: bearer, token: "\${GHL_TOKEN}" }
`,
      'data/signups.csv': SIGNUPS_CSV,
      'pipelines/signups.yaml': SIGNUPS_PIPELINE,
    });
    studio = spawnFerry(['--json', 'studio', '--no-open'], { cwd: project.dir, env, timeoutMs: 170_000 });
    const line = await waitFor(() => studio.stdout().split('\n').find((text) => text.startsWith('{')), `the studio's URL (stderr: ${studio.stderr()})`, 30_000);
    const { url } = JSON.parse(line) as { url: string };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(2_000);
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    studio?.child.kill('SIGTERM');
    await studio?.exited.catch(() => undefined);
    project?.remove();
    await sandbox?.close();
  });

  it("lists GHL's contact fields as drop targets, flags a text column on the tags list, and the suggested convert fixes it", async () => {
    await page.locator('[data-target-field="tags"]').waitFor({ timeout: 15_000 });
    await expect.poll(async () => page.locator('[data-target-field="lastName"] .type').textContent(), POLL).toContain('string');

    await page.locator('[data-source-field="tags"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-drop-target="tags"]').focus();
    await page.keyboard.press('Enter');
    const verdict = page.locator('[data-target-field="tags"] [data-verdict]');
    await expect.poll(async () => verdict.getAttribute('data-verdict'), POLL).toBe('mismatch');
    await expect.poll(async () => verdict.textContent(), POLL).toContain('string → list of string');
    await expect.poll(async () => page.locator('[data-preview-row="0"] [data-preview-cell="tags"]').getAttribute('data-value'), POLL).toBe('"vip;lead"');

    await page.locator('[data-source-field="phone"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-drop-target="phone"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => page.locator('[data-preview-row="1"] [data-preview-cell="phone"]').getAttribute('data-value'), POLL).toBe('"+1 212 555 0188"');
    await expect.poll(async () => page.getByTestId('plan-counts').textContent(), POLL).toMatch(/1 error · 1 create/);
    if (process.env['STUDIO_SCREENSHOT'] === '1') {
      const shot = join(project.dir, 'mapping.png');
      await page.evaluate("document.activeElement.blur(); document.querySelector('.target-panel').scrollTop = 0; window.scrollTo(0, 0)");
      await page.screenshot({ path: shot });
      copyFileSync(shot, SCREENSHOT);
    }

    await page.locator('[data-target-field="tags"] button.suggest').click();
    await expect.poll(async () => page.locator('[data-target-field="tags"] [data-verdict]').count(), POLL).toBe(0);
    await page.getByLabel('split option of tags').fill(';');
    await expect.poll(async () => page.locator('[data-preview-row="0"] [data-preview-cell="tags"]').getAttribute('data-value'), POLL).toBe('["vip","lead"]');

    await page.keyboard.press('Control+s');
    await expect.poll(async () => page.getByTestId('status').textContent(), POLL).toContain('saved pipelines/signups.yaml');
    const saved = readFileSync(project.path('pipelines/signups.yaml'), 'utf8');
    expect(saved).toContain('email: { from: email, convert: email } # GHL matches on it\n');
    expect(saved).toContain('  tags: { from: tags, convert: { split: ; } }\n');
    const validate = await ferry(['validate'], { cwd: project.dir, env });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
  });
});

const NORTH = 'sbxLocation000000001';
const SOUTH = 'sbxLocation000000002';

const LOCATIONS_PIPELINE = `name: location-contacts
from: { connection: crm, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  locationId: locationId
`;

/**
 * Over a partitioned source (two GHL locations, each with its own token): the source panel offers the locations,
 * and picking one reads the sample, and the preview, in that location.
 */
describe.skipIf(!haveChromium && process.env['CI'] === undefined)('ferry studio over a partitioned GHL connection (ghl → sqlite project)', () => {
  let sandbox: ServedSandbox;
  let project: TempProject;
  let studio: FerryProcess;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install -y chromium)`);
    ensureBuilt();
    sandbox = await serveSandbox(ghlSandbox, { host: '127.0.0.1', port: 0, seed: 5, size: 4, timeScale: 0, extra: { locations: [NORTH, SOUTH] } });
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  crm:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}" }
    partitions:
      - { id: ${NORTH}, label: North, config: { locationId: ${NORTH} }, auth: { token: ${sandboxTokens(NORTH).full} } }
      - { id: ${SOUTH}, label: South, config: { locationId: ${SOUTH} }, auth: { token: ${sandboxTokens(SOUTH).full} } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
`,
      'pipelines/locations.yaml': LOCATIONS_PIPELINE,
    });
    studio = spawnFerry(['--json', 'studio', '--no-open'], { cwd: project.dir, env: { GHL_SANDBOX_URL: sandbox.url }, timeoutMs: 170_000 });
    const line = await waitFor(() => studio.stdout().split('\n').find((text) => text.startsWith('{')), `the studio's URL (stderr: ${studio.stderr()})`, 30_000);
    ({ url } = JSON.parse(line) as { url: string });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    studio?.child.kill('SIGTERM');
    await studio?.exited.catch(() => undefined);
    project?.remove();
    await sandbox?.close();
  });

  it('shows a location picker; choosing another location re-reads the sample and the preview there', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    page.setDefaultTimeout(2_000);
    await page.goto(url);
    const picker = page.locator('select[name="source-partition"]');
    await picker.waitFor({ timeout: 15_000 });
    expect(await picker.locator('option').allTextContents()).toEqual([`North (${NORTH})`, `South (${SOUTH})`]);
    expect(await picker.inputValue()).toBe(NORTH);
    const sampled = page.locator('[data-source-field="locationId"] .sample');
    const previewed = page.locator('[data-preview-row="0"] [data-preview-cell="locationId"]');
    await expect.poll(async () => sampled.textContent(), POLL).toBe(JSON.stringify(NORTH));
    await expect.poll(async () => previewed.getAttribute('data-value'), POLL).toBe(JSON.stringify(NORTH));
    const northId = await page.locator('[data-preview-row="0"] [data-preview-cell="id"]').getAttribute('data-value');

    await picker.selectOption(SOUTH);
    await expect.poll(async () => sampled.textContent(), POLL).toBe(JSON.stringify(SOUTH));
    await expect.poll(async () => previewed.getAttribute('data-value'), POLL).toBe(JSON.stringify(SOUTH));
    expect(await page.locator('[data-preview-row="0"] [data-preview-cell="id"]').getAttribute('data-value')).not.toBe(northId);
    expect(await picker.inputValue()).toBe(SOUTH);
    await expect.poll(async () => page.getByTestId('plan-counts').textContent(), POLL).toContain('4 create');
    await page.close();
  });
});
