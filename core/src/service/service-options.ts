import type { Logger } from '../contract/logger.js';
import type { PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import type { TokenVault } from '../auth/token-vault.js';
import type { ConnectorRegistry } from '../config/connector-registry.js';
import type { Environment } from '../config/env-references.js';
import type { ServiceQueue } from './service-queue.js';
import type { ServiceStore } from './service-store.js';

export interface ServiceOptions {
  readonly project: ProjectSpec;
  /** The project's pipelines (`loadPipelines`): their `on:` entries say what runs them. */
  readonly pipelines: readonly PipelineSpec[];
  readonly registry: ConnectorRegistry;
  readonly store: ServiceStore;
  readonly log: Logger;
  /** Default `project.serve.host` (127.0.0.1). */
  readonly host?: string;
  /** Default `project.serve.port`; 0 picks a free port. */
  readonly port?: number;
  /** Largest webhook body accepted; larger ones get 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Media types a delivery may have (default `application/json`, which also admits `application/*+json`). */
  readonly contentTypes?: readonly string[];
  /** Attempts before a failing delivery is marked dead (default 5). */
  readonly maxAttempts?: number;
  /** First backoff between attempts of a failing delivery (default 1 s); it doubles up to `retryMaxMs`. */
  readonly retryBaseMs?: number;
  /** Longest backoff between attempts (default 5 min). */
  readonly retryMaxMs?: number;
  /** Deliveries processed at once, each of another order key (default 64). */
  readonly maxInFlight?: number;
  /** Most records in one webhook-driven run (default 500). */
  readonly maxBatchRecords?: number;
  /** How often the inbox is looked at when nothing arrives: retries due, deliveries written by others (default 1 s). */
  readonly inboxPollMs?: number;
  /** How long `stop()` lets webhook runs finish before it aborts them too (default 10 s). */
  readonly drainTimeoutMs?: number;
  /** Arm the `schedule:` triggers (default true). */
  readonly schedules?: boolean;
  /** IANA time zone of the cron expressions (default the machine's). */
  readonly timezone?: string;
  /** Also export process_* and nodejs_* metrics (default true). */
  readonly defaultMetrics?: boolean;
  /** Token vault for oauth2 connections (default: opened on first need by each run's context factory). */
  readonly vault?: TokenVault;
  /** Environment for `<CONNECTION>_TOKEN` and FERRY_SECRET_KEY (default process.env). */
  readonly env?: Environment;
  /** Rate windows run this many times faster (sandboxes, tests). */
  readonly timeScale?: number;
  /**
   * When the oauth2 tokens are rotated: a cron expression (a sixth leading field counts seconds) or `off`.
   * Default `serve.rotate` of ferry.yaml, else daily at 03:17.
   */
  readonly rotate?: string;
  /** Jitter source for retry backoff (tests). */
  readonly random?: () => number;
  /**
   * Queue mode (`ferry serve --queue`): schedules are armed on the run queue and stored deliveries are drained
   * by workers (`ferry worker`); this process receives webhooks and answers /healthz and /metrics only.
   */
  readonly queue?: ServiceQueue;
}

export const SERVICE_DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
  contentTypes: ['application/json'],
  maxAttempts: 5,
  retryBaseMs: 1_000,
  retryMaxMs: 5 * 60_000,
  maxInFlight: 64,
  maxBatchRecords: 500,
  inboxPollMs: 1_000,
  drainTimeoutMs: 10_000,
} as const;
