import { Cron } from 'croner';
import type { ConnectorDef } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ProjectSpec } from '../contract/pipeline.js';
import type { TokenVault } from '../auth/token-vault.js';
import { rotateConnectionToken } from '../runtime/rotate-connection-token.js';
import { errorFields } from './error-fields.js';

/** Daily, off the hour (many services refresh at midnight sharp). */
export const DEFAULT_ROTATION_SCHEDULE = '17 3 * * *';
/** The schedule value that turns rotation off. */
export const ROTATION_OFF = 'off';

export interface TokenRotationOptions {
  readonly project: ProjectSpec;
  readonly registry: ReadonlyMap<string, ConnectorDef>;
  /** The service's vault, opened on first need. */
  readonly vault: () => TokenVault;
  readonly log: Logger;
  /** Cron expression (croner; a sixth leading field counts seconds), or `off`. */
  readonly schedule: string;
  readonly timezone?: string | undefined;
}

/** One connection's rotation: its new expiry, or why it did not rotate. */
export type RotationOutcome =
  | { readonly connection: string; readonly status: 'rotated'; readonly expiresAt: string | undefined }
  | { readonly connection: string; readonly status: 'skipped'; readonly reason: string }
  | { readonly connection: string; readonly status: 'failed'; readonly error: unknown };

/**
 * Rotates the service's oauth2 tokens on a schedule, so that a refresh token is replaced regularly even when no
 * run needed a refresh (and a leaked one stops working soon). Each rotation shares the single flight of the runs'
 * token providers, so it never spends a refresh token a run is using. Logs what rotated, never a secret.
 */
export class TokenRotation {
  #job: Cron | undefined;
  #running: Promise<RotationOutcome[]> | undefined;

  constructor(private readonly options: TokenRotationOptions) {}

  /** The oauth2 connections of the project, in ferry.yaml order. */
  connections(): string[] {
    return Object.values(this.options.project.connections)
      .filter((spec) => spec.auth.kind === 'oauth2')
      .map((spec) => spec.name);
  }

  start(): void {
    if (this.options.schedule === ROTATION_OFF || this.#job !== undefined) return;
    const connections = this.connections();
    if (connections.length === 0) return;
    this.#job = new Cron(
      this.options.schedule,
      { catch: true, protect: true, ...(this.options.timezone === undefined ? {} : { timezone: this.options.timezone }) },
      async () => {
        await this.rotateAll();
      },
    );
    this.options.log.info({ cron: this.options.schedule, connections, next: this.#job.nextRun()?.toISOString() }, 'token rotation armed');
  }

  stop(): void {
    this.#job?.stop();
  }

  /** Resolves once a rotation in progress has finished. */
  async idle(): Promise<void> {
    await this.#running;
  }

  describe(): { readonly cron: string; readonly next: Date | undefined } | undefined {
    return this.#job === undefined ? undefined : { cron: this.options.schedule, next: this.#job.nextRun() ?? undefined };
  }

  /** Rotates every oauth2 connection that has a stored token, one after another; never rejects. */
  rotateAll(): Promise<RotationOutcome[]> {
    this.#running ??= this.#rotateAll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #rotateAll(): Promise<RotationOutcome[]> {
    const outcomes: RotationOutcome[] = [];
    for (const connection of this.connections()) outcomes.push(await this.#rotate(connection));
    return outcomes;
  }

  async #rotate(connection: string): Promise<RotationOutcome> {
    const log = this.options.log.child({ connection });
    try {
      const vault = this.options.vault();
      if (vault.get(connection) === undefined) {
        log.warn({ hint: `run \`ferry auth ${connection}\`` }, 'token rotation skipped: the connection has no stored token');
        return { connection, status: 'skipped', reason: 'no stored token' };
      }
      // Logged by the rotation itself ('token rotated', with the new expiry).
      const token = await rotateConnectionToken({ project: this.options.project, registry: this.options.registry, connection, vault, log });
      return { connection, status: 'rotated', expiresAt: token.expiresAt };
    } catch (error) {
      log.error({ error: errorFields(error) }, 'token rotation failed');
      return { connection, status: 'failed', error };
    }
  }
}
