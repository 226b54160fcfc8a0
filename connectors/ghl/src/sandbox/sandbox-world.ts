import { createFaultInjector, createSandboxRateWindow, mulberry32, type FaultInjector, type JsonRecord, type SandboxRateWindow } from '@ferry/core';
import { contactOperations, READ_SCOPE, WRITE_SCOPE } from '../spec/operations.js';
import { contactById, noteView, taskView, appointmentView } from './contact-views.js';
import { createIdFactory } from './ids.js';
import type { LocationState } from './location-state.js';
import { RollingPeak } from './rolling-peak.js';
import { seedLocation } from './seed-data.js';
import { AGENCY_SCOPES, BURST_LIMIT, DAILY_LIMIT, SANDBOX_COMPANY_ID, sandboxAgencyToken, sandboxTokens, type GhlSandboxSettings } from './settings.js';
import { TokenRegistry } from './token-registry.js';


export interface LocationLimits {
  readonly burst: SandboxRateWindow;
  readonly daily: SandboxRateWindow;
  readonly rolling: RollingPeak;
  admitted: number;
  /** Daily budget left after the last counted request (for the headers of a 429). */
  dailyRemaining: number;
}

/** One request as the sandbox received it (kept only with `extra.recordRequests`). */
export interface RecordedRequest {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly version: string | undefined;
  readonly authorized: boolean;
  readonly contentType: string | undefined;
  /** Parsed JSON (or form fields) of the body; undefined without one. */
  readonly body: unknown;
  readonly status: number;
}

/** Everything one sandbox instance holds: locations, credentials, limits, counters. */
export class SandboxWorld {
  readonly locations = new Map<string, LocationState>();
  /** contactId → locationId across locations, to tell "not found" from "other location". */
  readonly contactLocation = new Map<string, string>();
  readonly users = new Map<string, readonly string[]>();
  readonly tokens: TokenRegistry;
  readonly faults: FaultInjector;
  readonly newId: () => string;
  readonly random: () => number;
  private readonly limits = new Map<string, LocationLimits>();
  private clockOffset = 0;
  readonly recorded: RecordedRequest[] = [];
  readonly counters = { requests: 0, byOperation: {} as Record<string, number>, byStatus: {} as Record<string, number>, rateLimited: 0 };

  constructor(readonly settings: GhlSandboxSettings) {
    this.random = mulberry32((settings.seed ^ 0x5bd1e995) >>> 0);
    this.newId = createIdFactory(this.random);
    this.faults = createFaultInjector(settings.faults, mulberry32((settings.seed ^ 0x2545f491) >>> 0));
    this.tokens = new TokenRegistry(mulberry32((settings.seed ^ 0x68e31da4) >>> 0), settings.accessTokenTtlMs);
    for (const [locationIndex, locationId] of settings.locations.entries()) {
      const { location, users } = seedLocation({
        locationId,
        locationIndex,
        companyId: SANDBOX_COMPANY_ID,
        seed: settings.seed,
        size: settings.size,
        searchLagMs: settings.searchLagMs,
        duplicates: { allowDuplicates: settings.allowDuplicates, priority: settings.duplicatePriority },
      });
      this.locations.set(locationId, location);
      this.users.set(locationId, users);
      for (const id of location.contacts.keys()) this.contactLocation.set(id, locationId);
      if (settings.defaultTokens) {
        const { full, readOnly } = sandboxTokens(locationId);
        this.addStaticToken(full, locationId, [READ_SCOPE, WRITE_SCOPE]);
        this.addStaticToken(readOnly, locationId, [READ_SCOPE]);
      }
    }
    if (settings.defaultTokens) {
      this.tokens.addAccess({
        token: sandboxAgencyToken(SANDBOX_COMPANY_ID),
        kind: 'static',
        userType: 'Company',
        locationId: undefined,
        companyId: SANDBOX_COMPANY_ID,
        scopes: new Set(AGENCY_SCOPES),
        expiresAt: undefined,
        userId: this.firstUser(settings.locations[0] ?? ''),
      });
    }
    for (const seed of settings.tokens) {
      if (seed.refresh) {
        this.tokens.addRefresh({
          token: seed.token,
          userType: seed.userType,
          locationId: seed.userType === 'Company' ? undefined : seed.locationId,
          companyId: SANDBOX_COMPANY_ID,
          scopes: seed.scopes,
          clientId: undefined,
        });
      } else {
        this.tokens.addAccess({
          token: seed.token,
          kind: seed.expiresAt === undefined ? 'static' : 'oauth',
          userType: seed.userType,
          locationId: seed.userType === 'Company' ? undefined : seed.locationId,
          companyId: SANDBOX_COMPANY_ID,
          scopes: new Set(seed.scopes),
          expiresAt: seed.expiresAt,
          userId: this.firstUser(seed.locationId),
        });
      }
    }
  }

  private addStaticToken(token: string, locationId: string, scopes: readonly string[]): void {
    this.tokens.addAccess({
      token,
      kind: 'static',
      userType: 'Location',
      locationId,
      companyId: SANDBOX_COMPANY_ID,
      scopes: new Set(scopes),
      expiresAt: undefined,
      userId: this.firstUser(locationId),
    });
  }

  firstUser(locationId: string): string {
    return this.users.get(locationId)?.[0] ?? 'sbxUser0000000000001';
  }

  now(): number {
    return this.settings.clock() + this.clockOffset;
  }

  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  /** The rate windows of one location (or agency), created on first use. */
  limitsFor(key: string): LocationLimits {
    let limits = this.limits.get(key);
    if (limits === undefined) {
      const { timeScale, rateWindowMode, dailyLimit } = this.settings;
      const now = (): number => this.now();
      limits = {
        burst: createSandboxRateWindow({ ...BURST_LIMIT, timeScale, mode: rateWindowMode, now }),
        daily: createSandboxRateWindow({ max: dailyLimit, perMs: DAILY_LIMIT.perMs, timeScale, mode: 'fixed', now }),
        rolling: new RollingPeak(timeScale > 0 ? BURST_LIMIT.perMs / timeScale : BURST_LIMIT.perMs),
        admitted: 0,
        dailyRemaining: dailyLimit,
      };
      this.limits.set(key, limits);
    }
    return limits;
  }

  stats(): JsonRecord {
    const locations: JsonRecord = {};
    for (const [key, l] of this.limits) {
      locations[key] = {
        admitted: l.admitted,
        rateLimited: l.burst.rejected + l.daily.rejected,
        windowMax: l.burst.max,
        windowMs: Number.isFinite(l.burst.perMs) ? l.burst.perMs : null,
        peakInWindow: l.burst.peak,
        rollingPeak: l.rolling.peak,
        dailyMax: l.daily.max,
        dailyPeak: l.daily.peak,
      };
    }
    const byRoute: Record<string, number> = {};
    for (const [operationId, count] of Object.entries(this.counters.byOperation)) {
      const op = contactOperations().find((o) => o.operationId === operationId);
      byRoute[op === undefined ? operationId : `${op.method} ${op.path}`] = count;
    }
    return {
      requests: this.counters.requests,
      byOperation: { ...this.counters.byOperation },
      byRoute,
      byStatus: { ...this.counters.byStatus },
      rateLimited: this.counters.rateLimited,
      faults: { ...this.faults.counts() },
      locations,
      oauth: { ...this.tokens.grants },
    };
  }

  snapshot(): JsonRecord {
    const now = this.now();
    const locations: JsonRecord[] = [];
    for (const location of this.locations.values()) {
      const contacts = [...location.contacts.values()].sort((a, b) => a.addedMs - b.addedMs || (a.id < b.id ? -1 : 1));
      locations.push({
        id: location.id,
        companyId: location.companyId,
        name: location.name,
        duplicates: { ...location.duplicates },
        customFields: location.customFieldDefinitions.map((f) => ({ ...f })),
        businesses: location.businesses.map((b) => ({ ...b })),
        users: [...(this.users.get(location.id) ?? [])],
        contacts: contacts.map((c) => {
          const { campaigns, workflows } = location.enrollmentsOf(c.id);
          return { ...contactById(c), campaigns: [...campaigns], workflows: [...workflows] };
        }),
        tasks: [...location.tasks.values()].flatMap((m) => [...m.values()].map(taskView)),
        notes: [...location.notes.values()].flatMap((m) => [...m.values()].map(noteView)),
        appointments: [...location.appointments.values()].flatMap((list) => list.map(appointmentView)),
      });
    }
    // A JSON round trip drops the undefined fields, like the wire does.
    return JSON.parse(JSON.stringify({ now: new Date(now).toISOString(), locations, tokens: this.tokens.snapshot(now) })) as JsonRecord;
  }
}
