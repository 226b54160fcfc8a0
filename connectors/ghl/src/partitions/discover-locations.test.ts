import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError, type PartitionDef, type PartitionToken } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { ghl } from '../connector.js';
import { SANDBOX_APP_ID, SANDBOX_COMPANY_ID, sandboxAgencyToken } from '../sandbox/index.js';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';
import { forgetLocationTokens } from './location-tokens.js';

const LOCATIONS = ['sbxLocation000000001', 'sbxLocation000000002', 'sbxLocation000000003', 'sbxLocation000000004'];

let harness: SandboxHarness;

function agencyContext(config: Record<string, unknown> = { companyId: SANDBOX_COMPANY_ID, appId: SANDBOX_APP_ID }) {
  return createTestContext({ connection: 'agency', config: { baseUrl: harness.url, ...config }, http: harness.http(sandboxAgencyToken()) });
}

function tokenOf(partition: PartitionDef | undefined): PartitionToken {
  if (partition?.token === undefined) throw new Error('the partition has no token');
  return partition.token;
}

function grants(): number {
  return (harness.sandbox.stats() as { oauth: { locationToken: number } }).oauth.locationToken;
}

beforeAll(async () => {
  harness = await startSandbox({ size: 3, extra: { locations: LOCATIONS, uninstalledLocations: ['sbxLocation000000003'] } });
});
afterAll(() => harness.close());
afterEach(() => forgetLocationTokens());

describe('ghl.partitions (partitions: discover)', () => {
  it('finds the locations where the app is installed, each with its locationId and a location token', async () => {
    const partitions = await ghl.partitions(agencyContext());
    expect(partitions.map((p) => p.id)).toEqual(['sbxLocation000000001', 'sbxLocation000000002', 'sbxLocation000000004']);
    expect(partitions.map((p) => p.config)).toEqual(partitions.map((p) => ({ locationId: p.id })));
    expect(partitions[0]?.label).toBe('Sandbox location 1');
    expect(grants()).toBe(0);

    const [first, second] = partitions;
    const token = await first?.token?.getToken();
    expect(token).toMatch(/^sbx-at-/);
    expect(await first?.token?.getToken()).toBe(token);
    expect(first?.token?.scopes).toEqual(['contacts.readonly', 'contacts.write']);
    await second?.token?.getToken();
    expect(grants()).toBe(2);

    // A second discovery (the next run in the same process) reuses the tokens minted before.
    const again = await ghl.partitions(agencyContext());
    expect(await again[0]?.token?.getToken()).toBe(token);
    expect(grants()).toBe(2);
  });

  it('mints once for concurrent callers, and again only when the API refuses the token', async () => {
    const before = grants();
    const [partition] = await ghl.partitions(agencyContext());
    const token = tokenOf(partition);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => token.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(grants() - before).toBe(1);

    // The sandbox's clock moves past the token's day: the API refuses it, the partition's client gets a new one.
    harness.sandbox.advanceClock(2 * 86_400_000);
    const location = harness.http(token);
    const answer = await location.request<{ contacts: unknown[] }>({ method: 'GET', path: '/contacts/', query: { locationId: partition?.id ?? '', limit: 1 } });
    expect(answer.status).toBe(200);
    expect(grants() - before).toBe(2);
    expect(await token.getToken()).not.toBe(tokens[0]);
  });

  it('says which setting is missing when the connection has no companyId or appId', async () => {
    const error: unknown = await ghl.partitions(agencyContext({ appId: SANDBOX_APP_ID })).catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).toBe('GHL_DISCOVERY_CONFIG');
    expect(isFerryError(error) && error.hint).toMatch(/companyId/);
  });

  it('fails with the API\'s answer (a missing scope) when the token is not an agency token', async () => {
    const ctx = createTestContext({
      connection: 'agency',
      config: { baseUrl: harness.url, companyId: SANDBOX_COMPANY_ID, appId: SANDBOX_APP_ID },
      http: harness.http(harness.tokens.full),
    });
    const error: unknown = await ghl.partitions(ctx).catch((e: unknown) => e);
    expect(isFerryError(error) && error.code).toBe('HTTP_MISSING_SCOPE');
  });
});
