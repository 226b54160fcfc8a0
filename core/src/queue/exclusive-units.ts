import type { Logger } from '../contract/logger.js';
import type { Store } from '../contract/store.js';
import type { DistributedLock } from '../coordination/distributed-lock.js';
import type { RunExecutor, RunOutcome, RunRequest } from '../service/run-executor.js';
import { errorFields } from '../service/error-fields.js';
import { closeLostRuns } from './lost-runs.js';
import { unitLockResource, unitName, type RunUnit } from './queue-names.js';
import { executeUnit } from './run-unit.js';

export interface ExclusiveUnitsOptions {
  readonly lock: DistributedLock;
  readonly execute: RunExecutor;
  readonly store: Store;
  readonly log: Logger;
}

/**
 * One run per unit at a time across every worker, whatever asked for it (a tick, a webhook batch): a run holds
 * the unit's distributed lock while it lives. A run that finds the lock held is not started (`busy`), and its
 * job is asked again later. If the lock is lost mid-run, the run stops at its checkpoint.
 */
export class ExclusiveUnits {
  constructor(private readonly options: ExclusiveUnitsOptions) {}

  /** Runs `unit` unless it runs elsewhere now. Never rejects: a lock Redis cannot give is a refusal. */
  async run(unit: RunUnit, request: Omit<RunRequest, 'partition'>): Promise<RunOutcome> {
    const log = this.options.log.child({ unit: unitName(unit) });
    try {
      const attempt = await this.options.lock.tryRun(unitLockResource(unit), async (lockLost) => {
        closeLostRuns(this.options.store, unit, log);
        return executeUnit(this.options.execute, unit, { ...request, signal: AbortSignal.any([request.signal, lockLost]) });
      });
      if (attempt.acquired) return attempt.value;
      log.debug({ trigger: request.trigger }, 'the unit runs elsewhere now: asked again later');
      return { kind: 'busy' };
    } catch (error) {
      log.error({ error: errorFields(error) }, 'the unit could not be run');
      return { kind: 'refused', error };
    }
  }
}
