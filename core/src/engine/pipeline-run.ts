import { EMPTY, catchError, concatMap, mergeMap } from 'rxjs';
import type { ActionBatchItem, ActionRequest, ActionResult, CheckpointState, Page } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { Logger } from '../contract/logger.js';
import type { CheckpointKey, DeadLetterRow, LinkKey, LinkRow, RunStatus, Store } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import { canonicalJson, contentHash } from '../util/content-hash.js';
import { BatchCommitter } from './batch-committer.js';
import { CheckpointTracker, type PageTicket } from './checkpoint-tracker.js';
import type { CompiledPipeline, CompiledStep } from './compile-pipeline.js';
import { fieldDiff } from './field-diff.js';
import { InFlightGate } from './in-flight-gate.js';
import { pulledPages } from './pulled-pages.js';
import { JobList, type BatchJob, type ChildrenJob, type FindJob, type Job, type PrepareJob, type Staged, type WriteJob } from './run-jobs.js';
import { ChildSync } from './child-streams.js';
import { linkedFollowUp } from './follow-up-link.js';
import { showsWrittenContent } from './echo-guard.js';
import { attemptsOf, describeForRun, errorSummary, isAbortError, isSystemic, toFerryError } from './run-errors.js';
import type { LinkLookup, RunLookups } from './run-lookups.js';
import { RunTally } from './run-tally.js';
import { WritesInFlight } from './writes-in-flight.js';
import type { PlanEntry, PlanOutcome, RunPipelineOptions, RunResult } from './run-types.js';

/** Everything one run needs beyond the compiled pipeline; built by runPipeline and replayDeadLetters. */
export interface RunPlan {
  readonly compiled: CompiledPipeline;
  readonly options: Omit<RunPipelineOptions, 'records' | 'mode'>;
  /** Stored on the run row: 'incremental', 'full', 'records', 'replay'. */
  readonly runMode: string;
  readonly pages: () => AsyncIterable<Page>;
  /** Where committed states go; undefined: the run moves no cursor. */
  readonly checkpointKey: CheckpointKey | undefined;
  /** Bound as JSONata variables in maps and filters ($params). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Replays skip the `where` filter: the record passed it when it was first read. */
  readonly applyWhere: boolean;
  /** Replay: the dead letter each record came from. */
  readonly replayOf?: ReadonlyMap<JsonRecord, DeadLetterRow>;
  /** Runs once the source was read to its end with every record acknowledged (a full sync's hand-over). */
  readonly onSourceCompleted?: (finalState: CheckpointState | undefined, runId: number) => void;
}

const PROGRESS_EVERY_MS = 100;
const COMMIT_EVERY_MS = 1000;
/** Dead letters logged at warn level before the rest go to debug (the summary has the count). */
const LOUD_DEAD_LETTERS = 20;

/** An action's answer, checked: a connector that answers with nothing fails the record, not the engine. */
function checkedResult(result: unknown): ActionResult {
  if (typeof result !== 'object' || result === null) throw new TypeError(`action returned ${String(result)} instead of a result`);
  return result as ActionResult;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** A promise kept for later must not count as an unhandled rejection meanwhile; awaiting it still throws. */
function held<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * One execution of a pipeline, as an RxJS flow:
 *
 *   pulled pages ──concatMap(stage page)──▶ jobs ──mergeMap(execute, concurrency)──▶ settled records
 *
 * Staging runs `where → map → validate → de-dup` synchronously over a page: a record that needs no I/O
 * (skipped, unchanged, dead-lettered) is settled there without a promise or an Observable, which keeps a
 * million-record run close to a hand-written loop. Only records that need I/O (the action, `then` steps, an
 * asynchronous JSONata map or filter, a plan's `find`) become jobs, run at most `concurrency` at once. Every
 * settled record is acknowledged to the checkpoint tracker and the batch committer.
 *
 * What the records of a page need from the store (their links, echoes, `became` verdicts, reverse links, the
 * links of linked `then` steps and of child streams) is looked up before the page is staged, one batched store
 * call per kind of look-up (`RunLookups`), and every record reads its answer from there. When the action takes
 * many requests at once (`ActionDef.runBatch`, e.g. the SQLite warehouse's one transaction per batch), the page's
 * writes go to it in batches of up to `batchSize` instead of one job per record.
 */
export class PipelineRun {
  readonly #plan: RunPlan;
  readonly #compiled: CompiledPipeline;
  readonly #store: Store;
  /** The store's look-ups a page at a time, and the run's commits (which keep them exact). */
  readonly #lookups: RunLookups;
  /** The links of each linked `then` step (source record → the step's entity). */
  readonly #followUpLinks: ReadonlyMap<CompiledStep, LinkLookup>;
  readonly #log: Logger;
  readonly #dryRun: boolean;
  readonly #limit: number | undefined;
  readonly #batchSize: number;
  readonly #concurrency: number;
  /** Writes go to the action's `runBatch` in groups of up to `batchSize` (see #writeBatch). */
  readonly #batchWrites: boolean;
  readonly #vars: Readonly<Record<string, unknown>>;
  readonly #gate: InFlightGate;
  readonly #tracker = new CheckpointTracker();
  readonly #pipelineName: string;
  readonly #streamName: string;

  readonly #tally: RunTally;
  readonly #committer: BatchCommitter;
  readonly #runId: number | undefined;
  #haltStatus: 'stopped' | 'failed' | undefined;
  /** Records read but not started are left for the next run (a stop, or a failure no record would escape). */
  #stopWork = false;
  #haltError: FerryError | undefined;
  #limitReached = false;
  #warnedNoId = false;

  /** Records being written, by source id: a second record with the same id waits for the first. */
  readonly #writing = new WritesInFlight<WriteJob>();
  /** Included child streams (`include:`), read for every parent record that lands; undefined without any (or in a dry run). */
  readonly #children: ChildSync | undefined;

  /** Records the run (not for a dry run) and executes it. */
  static execute(plan: RunPlan): Promise<RunResult> {
    const { options } = plan;
    const tally = new RunTally(options.stats);
    const runId =
      options.dryRun === true
        ? undefined
        : options.store.startRun({ pipeline: plan.compiled.pipeline.name, mode: plan.runMode, trigger: options.trigger ?? 'manual', partition: options.partition });
    return new PipelineRun(plan, runId, tally).#run();
  }

  private constructor(plan: RunPlan, runId: number | undefined, tally: RunTally) {
    this.#plan = plan;
    this.#runId = runId;
    this.#tally = tally;
    this.#compiled = plan.compiled;
    const { options } = plan;
    this.#store = options.store;
    this.#lookups = this.#compiled.lookups;
    this.#dryRun = options.dryRun === true;
    this.#limit = options.limit;
    this.#pipelineName = this.#compiled.pipeline.name;
    this.#streamName = this.#compiled.stream.name;
    this.#log = options.log.child({ pipeline: this.#pipelineName });
    this.#concurrency = Math.max(1, Math.floor(this.#compiled.pipeline.concurrency ?? 4));
    this.#batchSize = Math.max(1, Math.floor(this.#compiled.pipeline.batchSize ?? 500));
    this.#batchWrites =
      !this.#dryRun && this.#compiled.to.action.runBatch !== undefined && this.#compiled.followUps.length === 0 && this.#compiled.includes.length === 0;
    this.#children =
      runId === undefined || this.#compiled.includes.length === 0
        ? undefined
        : new ChildSync({ includes: this.#compiled.includes, lookups: this.#lookups, pipeline: this.#pipelineName, runId, tally, params: plan.params });
    // Enough room to keep the destination busy across a page boundary, small enough to keep memory flat.
    this.#gate = new InFlightGate(Math.max(this.#batchSize, this.#concurrency * 4));
    // Answers for every record in flight and the next page's, so that none is pushed out before it is read.
    this.#lookups.reserve(this.#gate.highWaterMark * 2);
    const { sourceConnection, links } = this.#compiled;
    this.#followUpLinks = new Map(
      this.#compiled.followUps
        .filter((step) => step.linkResult)
        .map((step) => [step, this.#lookups.links({ sourceConnection, sourceStream: links.stream, targetConnection: step.connection, targetEntity: step.entity })]),
    );
    this.#vars = { params: plan.params };
    this.#limitReached = this.#limit !== undefined && this.#limit <= 0;
    this.#committer = new BatchCommitter({
      store: this.#lookups,
      runId,
      checkpointKey: plan.checkpointKey,
      tracker: this.#tracker,
      batchSize: this.#batchSize,
      maxDelayMs: COMMIT_EVERY_MS,
      onFailure: (error) => this.#halt('failed', error),
    });
  }

  async #run(): Promise<RunResult> {
    const { options } = this.#plan;
    const log = this.#runId === undefined ? this.#log : this.#log.child({ runId: this.#runId });
    log.info({ mode: this.#plan.runMode, dryRun: this.#dryRun }, 'run started');

    const signal = options.signal;
    const onAbort = (): void => this.#halt('stopped');
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setInterval(() => this.#tick(), PROGRESS_EVERY_MS);
    timer.unref();

    let completed = false;
    try {
      completed = await this.#flow();
      this.#committer.flush();
      if (completed && this.#plan.onSourceCompleted !== undefined && this.#runId !== undefined && !this.#committer.broken) {
        this.#plan.onSourceCompleted(this.#tracker.committable, this.#runId);
      }
    } catch (error) {
      this.#halt('failed', toFerryError(error, 'the engine'));
    } finally {
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
    }

    const summary = this.#tally.summary();
    const status: RunStatus = this.#haltStatus ?? (this.#tally.deadLettered > 0 ? 'partial' : 'succeeded');
    if (this.#runId !== undefined) {
      try {
        this.#store.finishRun(this.#runId, {
          status,
          summary,
          ...(this.#haltError === undefined ? {} : { error: describeForRun(this.#haltError) }),
        });
      } catch (error) {
        log.error({ err: errorSummary(toFerryError(error, 'the store')) }, 'could not record the end of the run');
      }
    }
    this.#emitProgress();
    log.info({ status, ...summary }, 'run finished');
    return {
      runId: this.#runId,
      status,
      summary,
      ...(this.#haltError === undefined ? {} : { error: this.#haltError }),
    };
  }

  /** Runs the stages until the source ends or the run halts; true when the source was read to its end. */
  #flow(): Promise<boolean> {
    const compiled = this.#compiled;
    const pages$ = pulledPages(this.#plan.pages, {
      room: () => this.#gate.room(),
      stopped: () => this.#haltStatus !== undefined || this.#limitReached,
    });
    return new Promise<boolean>((resolve) => {
      pages$
        .pipe(
          catchError((error: unknown) => {
            if (!this.#isStopAbort(error)) {
              this.#halt('failed', toFerryError(error, `${compiled.source.connector} stream '${compiled.stream.name}'`), true);
            }
            return EMPTY;
          }),
          concatMap((page) => this.#stagePage(page)),
          mergeMap((job) => this.#execute(job), this.#concurrency),
        )
        .subscribe({
          complete: () => {
            resolve(this.#haltStatus === undefined && !this.#limitReached && this.#tracker.settled);
          },
          error: (error: unknown) => {
            this.#halt('failed', toFerryError(error, 'the engine'));
            resolve(false);
          },
        });
    });
  }

  // ---- staging: synchronous per page; records that need no I/O are settled here without a promise --------

  #stagePage(page: Page): Job[] {
    if (typeof page !== 'object' || page === null || !Array.isArray(page.records)) {
      // Halting (not throwing) lets the records already in flight settle and commit.
      this.#halt('failed', new FerryError('CONNECTOR_ERROR', `${this.#compiled.source.connector} stream '${this.#streamName}' yielded a page without a records array`, {
        hint: "this is a bug in the connector; report it to the connector's maintainers",
      }), true);
      return [];
    }
    const tally = this.#tally;
    if (typeof page.total === 'number') tally.total = page.total;
    const records: readonly JsonRecord[] = page.records;
    let count = records.length;
    if (this.#limit !== undefined) count = Math.max(0, Math.min(count, this.#limit - tally.read));
    const ticket = this.#tracker.open(page.state, count);
    this.#gate.enter(count);
    const jobs = new JobList(this.#batchWrites ? this.#batchSize : 0);
    let staged = 0;
    try {
      // What the page needs from the store, up front; then each record in source order, as one at a time always was.
      this.#prefetch(records, count);
      // Records that may still be written, and those that will read their child streams (written or unchanged).
      const writing: string[] = [];
      const parents: string[] = [];
      for (const record of records) {
        if (staged === count || this.#stopWork) break;
        tally.read += 1;
        const job = this.#stageRecord(this.#prepareRecord(record, ticket), ticket);
        staged += 1;
        if (job === undefined) continue;
        jobs.push(job);
        const sourceId = job.kind === 'write' || job.kind === 'children' ? job.sourceId : job.kind === 'prepare' ? this.#pageIdOf(job.record) : undefined;
        if (sourceId === undefined) continue;
        if (job.kind !== 'children') writing.push(sourceId);
        parents.push(sourceId);
      }
      this.#prefetchAfterWrites(writing, parents);
    } catch (error) {
      // Only the store (a look-up) throws here: the run cannot go on without it.
      this.#halt('failed', toFerryError(error, 'the store'));
    }
    if (staged < count) {
      // Cut short by a halt: the page is never sealed, so its state is never committed.
      this.#gate.leave(count - staged);
    } else if (count === records.length) {
      this.#tracker.seal(ticket);
    }
    if (this.#limit !== undefined && tally.read >= this.#limit) this.#limitReached = true;
    return jobs.done();
  }

  /** `where`, `map` and validation of one record: what is left to do with it. */
  #prepareRecord(record: JsonRecord, ticket: PageTicket): Staged {
    const where = this.#plan.applyWhere ? this.#compiled.where : undefined;
    if (where !== undefined) {
      if (where.isAsync) return { kind: 'prepare', record, ticket, filter: true };
      let passes: boolean | Promise<boolean>;
      try {
        passes = where.test(record, this.#vars);
      } catch (error) {
        return { kind: 'fail', record, error, origin: 'where' };
      }
      if (isPromise(passes)) return { kind: 'prepare', record, ticket, filter: true, startedWhere: held(passes) };
      if (!passes) return { kind: 'skip', record };
    }
    const map = this.#compiled.map;
    if (map?.isAsync === true) return { kind: 'prepare', record, ticket, filter: false };
    let mapped: JsonRecord | Promise<JsonRecord> = record;
    if (map !== undefined) {
      try {
        mapped = map.apply(record, this.#vars);
      } catch (error) {
        return { kind: 'fail', record, error, origin: 'map' };
      }
      if (isPromise(mapped)) return { kind: 'prepare', record, ticket, filter: false, startedMap: held(mapped) };
    }
    const invalid = this.#compiled.to.validate(mapped);
    if (invalid !== undefined) return { kind: 'fail', record, error: invalid, origin: 'validation' };
    return { kind: 'mapped', record, mapped, sourceId: this.#sourceIdOf(record) };
  }

  /**
   * What the filter, the link rules and the de-duplication will ask the store about the page's first `count`
   * records, in one store call per kind of look-up, before any of them is staged. The answers stay exact while the
   * page's records use them, however late (an asynchronous map): the run's commits go through `RunLookups`, which
   * forgets what they change. Records the filter then skips were looked up for nothing, in the same calls.
   */
  #prefetch(records: readonly JsonRecord[], count: number): void {
    if (count === 0) return;
    const page: JsonRecord[] = [];
    for (const record of records) {
      if (page.length === count) break;
      if (typeof record === 'object' && record !== null) page.push(record);
    }
    this.#compiled.links.prefetch(page, this.#plan.applyWhere);
  }

  /**
   * The look-ups of what comes after the main write, one store call each for the page: the links of linked `then`
   * steps for the records that may be written, and what the child streams of every parent stored last time.
   */
  #prefetchAfterWrites(writing: readonly string[], parents: readonly string[]): void {
    if (writing.length > 0 && !this.#dryRun) for (const links of this.#followUpLinks.values()) links.prefetch(writing);
    if (parents.length > 0) this.#children?.prefetch(parents);
  }

  /** Settles what needs no I/O; returns the job that still does, if any. */
  #stageRecord(entry: Staged, ticket: PageTicket): Job | undefined {
    switch (entry.kind) {
      case 'skip':
        this.#skip(entry.record, ticket);
        return undefined;
      case 'fail':
        this.#fail(entry.record, ticket, entry.error, entry.origin);
        return undefined;
      case 'prepare':
        return entry;
      case 'mapped':
        return this.#decide(entry.record, entry.mapped, entry.sourceId, ticket);
    }
  }

  /** Validate, then de-duplicate (an asynchronous filter or map ends here). */
  #validateAndDecide(record: JsonRecord, mapped: JsonRecord, ticket: PageTicket): Job | undefined {
    const invalid = this.#compiled.to.validate(mapped);
    if (invalid !== undefined) {
      this.#fail(record, ticket, invalid, 'validation');
      return undefined;
    }
    return this.#decide(record, mapped, this.#sourceIdOf(record), ticket);
  }

  /** De-duplicate a valid mapped record against the link table; returns the job that still needs I/O, if any. */
  #decide(record: JsonRecord, mapped: JsonRecord, sourceId: string | undefined, ticket: PageTicket): Job | undefined {
    const compiled = this.#compiled;
    if (sourceId === undefined && !this.#warnedNoId) {
      this.#warnedNoId = true;
      this.#log.warn({ primaryKey: this.#compiled.stream.primaryKey }, 'records without a primary key value are written every run (no link to de-duplicate them)');
    }
    const hash = contentHash(mapped);
    let linked = false;
    let linkedId: string | undefined;
    let before: JsonRecord | undefined;
    let after: WriteJob | undefined;
    if (sourceId !== undefined) {
      after = this.#dryRun ? undefined : this.#writing.get(sourceId);
      if (after === undefined) {
        const link = this.#committer.recentLink(sourceId) ?? this.#storedLink(sourceId);
        if (link !== undefined) {
          if (link.hash === hash || (link.hash === undefined && this.#writtenByAnother(link.targetId, mapped))) {
            return this.#unchangedOrChildren(record, sourceId, ticket, link.targetId);
          }
          linked = true;
          linkedId = link.targetId === '' ? undefined : link.targetId;
          if ('content' in link) before = link.content;
        }
      }
    }
    if (!linked && after === undefined && sourceId !== undefined && compiled.links.reverseOf !== undefined) {
      // Linked the other way round: this record was written from the destination record it now updates.
      linkedId = compiled.links.reverseOf(sourceId);
      linked = linkedId !== undefined;
    }
    if (compiled.links.required && linkedId === undefined && after === undefined) {
      // `requireLink` / `to.link`: only records already linked to a destination record are written.
      this.#skip(record, ticket);
      return undefined;
    }
    if (this.#dryRun) {
      if (compiled.to.action.find !== undefined) return { kind: 'find', record, ticket, mapped, sourceId, linkedId };
      this.#planned(ticket, sourceId, linked ? 'update' : 'create', linkedId, fieldDiff(before, mapped, 'both'));
      return undefined;
    }
    const job: WriteJob = { kind: 'write', record, ticket, mapped, sourceId, hash, linkedId, after, done: false, waiters: undefined };
    if (sourceId !== undefined) this.#writing.set(sourceId, job);
    return job;
  }

  /** Unchanged: with included child streams, those are still read (a job); else settled now. */
  #unchangedOrChildren(record: JsonRecord, sourceId: string, ticket: PageTicket, targetId: string): Job | undefined {
    if (this.#children !== undefined) return { kind: 'children', record, ticket, sourceId, targetId };
    this.#unchanged(record, sourceId, ticket, targetId);
    return undefined;
  }

  async #unchangedWithChildren(job: ChildrenJob): Promise<void> {
    if (this.#stopWork) {
      this.#drop();
      return;
    }
    try {
      await this.#children?.syncParent(job.record, job.sourceId);
    } catch (error) {
      this.#fail(job.record, job.ticket, error, 'include');
      return;
    }
    this.#unchanged(job.record, job.sourceId, job.ticket, job.targetId);
  }

  /**
   * A record linked by another pipeline and never written by this one: unchanged when the destination record
   * already holds exactly these values (the content last written to it), so a second pipeline does not repeat it.
   */
  #writtenByAnother(targetId: string, mapped: JsonRecord): boolean {
    if (targetId === '' || !this.#compiled.links.trustsOtherWrites) return false;
    const written = this.#compiled.links.writtenTo.get(targetId);
    return written?.content !== undefined && showsWrittenContent(written.content, mapped);
  }

  /** The link as the store holds it now (looked up with the page, or one store call when it was not). */
  #storedLink(sourceId: string): LinkRow | undefined {
    return this.#compiled.links.lookup.get(sourceId);
  }

  // ---- asynchronous work, at most `concurrency` at once -----------------------------------------------------

  async #execute(job: Job): Promise<void> {
    try {
      if (job.kind === 'write') await this.#write(job);
      else if (job.kind === 'batch') await this.#writeBatch(job);
      else if (job.kind === 'prepare') await this.#prepare(job);
      else if (job.kind === 'children') await this.#unchangedWithChildren(job);
      else await this.#find(job);
    } catch (error) {
      // Every expected failure is handled per record; reaching here means the store broke mid-record.
      this.#halt('failed', toFerryError(error, 'the engine'));
    }
  }

  async #prepare(job: PrepareJob): Promise<void> {
    const { record, ticket } = job;
    if (this.#stopWork) {
      this.#drop();
      return;
    }
    const { where, map } = this.#compiled;
    if (job.filter && where !== undefined) {
      let passes: boolean;
      try {
        passes = await (job.startedWhere ?? where.test(record, this.#vars));
      } catch (error) {
        this.#fail(record, ticket, error, 'where');
        return;
      }
      if (!passes) {
        this.#skip(record, ticket);
        return;
      }
    }
    let mapped: JsonRecord;
    try {
      mapped = map === undefined ? record : await (job.startedMap ?? map.apply(record, this.#vars));
    } catch (error) {
      this.#fail(record, ticket, error, 'map');
      return;
    }
    const next = this.#validateAndDecide(record, mapped, ticket);
    if (next !== undefined) await this.#execute(next);
  }

  async #write(job: WriteJob): Promise<void> {
    const { record, ticket, sourceId } = job;
    try {
      let linkedId = job.linkedId;
      if (job.after !== undefined) {
        await this.#finished(job.after);
        if (sourceId !== undefined && !this.#stopWork) {
          const link = this.#committer.recentLink(sourceId) ?? this.#storedLink(sourceId);
          if (link?.hash === job.hash) {
            this.#unchanged(record, sourceId, ticket, link.targetId);
            return;
          }
          linkedId = link === undefined || link.targetId === '' ? undefined : link.targetId;
          if (linkedId === undefined && this.#compiled.links.required) {
            this.#skip(record, ticket);
            return;
          }
        }
      }
      if (this.#stopWork) {
        this.#drop();
        return;
      }
      const to = this.#compiled.to;
      let result: ActionResult;
      try {
        result = checkedResult(await to.action.run(to.ctx, this.#writeRequest(job.mapped, linkedId)));
      } catch (error) {
        this.#fail(record, ticket, error, this.#origin(to));
        return;
      }
      const targetId = typeof result.id === 'string' && result.id !== '' ? result.id : (linkedId ?? '');
      let previous = result;
      for (const step of this.#compiled.followUps) {
        try {
          previous = (await this.#runFollowUp(step, record, previous)) ?? previous;
        } catch (error) {
          // The main write landed: keep its id (so a replay updates that record) but no hash (so it is replayed).
          if (sourceId !== undefined && targetId !== '') this.#addLink(sourceId, targetId, '', job.mapped);
          this.#fail(record, ticket, error, this.#origin(step));
          return;
        }
      }
      if (this.#children !== undefined && sourceId !== undefined) {
        try {
          await this.#children.syncParent(record, sourceId);
        } catch (error) {
          // As for a failed `then` step: the parent's link stays without a hash, so a replay writes it again.
          if (targetId !== '') this.#addLink(sourceId, targetId, '', job.mapped);
          this.#fail(record, ticket, error, 'include');
          return;
        }
      }
      this.#written(job, result, targetId);
    } finally {
      this.#finish(job);
    }
  }

  /**
   * Writes that wait for no other write, in one `runBatch` call (the action has it and the pipeline no `then`
   * steps): each record is settled as its own `run` would have settled it.
   */
  async #writeBatch(batch: BatchJob): Promise<void> {
    const { writes } = batch;
    try {
      if (this.#stopWork) {
        for (let dropped = 0; dropped < writes.length; dropped++) this.#drop();
        return;
      }
      const to = this.#compiled.to;
      const action = to.action;
      let answers: readonly ActionBatchItem[] = [];
      let failure: unknown;
      try {
        if (action.runBatch === undefined) throw new TypeError(`action ${action.name} has no runBatch`);
        answers = await action.runBatch(to.ctx, writes.map((job) => this.#writeRequest(job.mapped, job.linkedId)));
        if (!Array.isArray(answers) || answers.length !== writes.length) {
          throw new TypeError(`runBatch gave ${Array.isArray(answers) ? answers.length : 'no list of'} answers for ${writes.length} requests`);
        }
      } catch (error) {
        failure = error;
        answers = [];
      }
      for (let index = 0; index < writes.length; index++) {
        const job = writes[index] as WriteJob;
        const answer = answers[index];
        let result: ActionResult;
        try {
          if (answer === undefined) throw failure;
          if ('error' in answer) throw answer.error;
          result = checkedResult(answer.result);
        } catch (error) {
          this.#fail(job.record, job.ticket, error, this.#origin(to));
          continue;
        }
        this.#written(job, result, typeof result.id === 'string' && result.id !== '' ? result.id : (job.linkedId ?? ''));
      }
    } finally {
      for (const job of writes) this.#finish(job);
    }
  }

  #writeRequest(input: JsonRecord, linkedId: string | undefined): ActionRequest {
    const { options, match } = this.#compiled.to;
    const source = this.#compiled.source;
    // Built once per record: no spread of a throw-away object.
    return match === undefined ? { input, options, linkedId, source } : { input, options, linkedId, source, match };
  }

  /** The record's write (and its `then` steps) landed: link it, count it, acknowledge it. */
  #written(job: WriteJob, result: ActionResult, targetId: string): void {
    // A borrowed destination record the action deleted is gone for every pipeline that acts through its link.
    if (job.sourceId !== undefined && result.outcome === 'deleted' && this.#compiled.links.borrowed) this.#committer.unlink(this.#linkKey(job.sourceId));
    else if (job.sourceId !== undefined) this.#addLink(job.sourceId, targetId, job.hash, job.mapped);
    this.#tally.count(result.outcome);
    this.#landed(job.record, job.ticket);
  }

  /** Wakes the records with the same id that waited for this one. */
  #finish(job: WriteJob): void {
    job.done = true;
    if (job.sourceId !== undefined) this.#writing.finished(job.sourceId, job);
    const waiters = job.waiters;
    job.waiters = undefined;
    if (waiters !== undefined) for (const wake of waiters) wake();
  }

  #finished(job: WriteJob): Promise<void> | undefined {
    if (job.done) return undefined;
    return new Promise<void>((resolve) => {
      (job.waiters ??= []).push(resolve);
    });
  }

  /** A `then` step: its own filter and map over the source record, with `$result` = the previous result. */
  async #runFollowUp(step: CompiledStep, record: JsonRecord, previous: ActionResult): Promise<ActionResult | undefined> {
    const vars = { params: this.#plan.params, result: previous };
    if (step.where !== undefined) {
      const passes = await step.where.test(record, vars);
      if (!passes) return undefined;
    }
    const input = step.map === undefined ? {} : await step.map.apply(record, vars);
    const invalid = step.validate(input);
    if (invalid !== undefined) throw invalid;
    const sourceId = step.linkResult ? this.#sourceIdOf(record) : undefined;
    const links = this.#followUpLinks.get(step);
    const linked = sourceId === undefined || links === undefined ? undefined : linkedFollowUp(links, this.#pipelineName, sourceId, input);
    if (linked?.unchanged !== undefined) return linked.unchanged;
    const result = await step.action.run(step.ctx, {
      input,
      options: step.options,
      linkedId: linked?.linkedId,
      source: this.#compiled.source,
      previous,
      ...(step.match === undefined ? {} : { match: step.match }),
    });
    if (typeof result !== 'object' || result === null) return undefined;
    // Linked before the main write's link, which stays the newest for this source id within the run.
    if (linked !== undefined && typeof result.id === 'string' && result.id !== '') this.#committer.link(linked.linkTo(result.id));
    return result;
  }

  async #find(job: FindJob): Promise<void> {
    const { record, ticket, sourceId, linkedId, mapped } = job;
    if (this.#stopWork) {
      this.#drop();
      return;
    }
    const to = this.#compiled.to;
    let found: JsonRecord | undefined;
    try {
      if (to.action.find !== undefined) {
        found = await to.action.find(to.ctx, {
          input: mapped,
          options: to.options,
          linkedId,
          source: this.#compiled.source,
          ...(to.match === undefined ? {} : { match: to.match }),
        });
      }
    } catch (error) {
      this.#fail(record, ticket, error, this.#origin(to));
      return;
    }
    if (found === undefined) {
      this.#planned(ticket, sourceId, 'create', undefined, fieldDiff(undefined, mapped, 'mapped'));
      return;
    }
    const foundId = found['id'];
    const targetId = linkedId ?? (typeof foundId === 'string' || typeof foundId === 'number' ? String(foundId) : undefined);
    this.#planned(ticket, sourceId, 'update', targetId, fieldDiff(found, mapped, 'mapped'));
  }

  // ---- settling records --------------------------------------------------------------------------------------

  #settle(ticket: PageTicket): void {
    this.#tracker.ack(ticket);
    this.#gate.leave(1);
    this.#committer.acked();
  }

  /** Not acknowledged (a stop or a systemic failure came first): the checkpoint stays before it. */
  #drop(): void {
    this.#gate.leave(1);
  }

  #skip(record: JsonRecord, ticket: PageTicket): void {
    this.#remember(record);
    this.#tally.skipped += 1;
    if (this.#dryRun) this.#plan.options.onPlan?.({ sourceId: this.#sourceIdOf(record), outcome: 'skip', diff: [] });
    this.#settle(ticket);
  }

  #unchanged(record: JsonRecord, sourceId: string, ticket: PageTicket, targetId: string): void {
    this.#tally.unchanged += 1;
    if (this.#dryRun) {
      this.#plan.options.onPlan?.({ sourceId, outcome: 'unchanged', ...(targetId === '' ? {} : { targetId }), diff: [] });
    }
    this.#landed(record, ticket);
  }

  /** The record reached its destination (or already was there): a replayed dead letter is resolved. */
  #landed(record: JsonRecord, ticket: PageTicket): void {
    this.#remember(record);
    const row = this.#plan.replayOf?.get(record);
    if (row !== undefined) this.#committer.resolved(row.id);
    this.#settle(ticket);
  }

  #planned(ticket: PageTicket, sourceId: string | undefined, outcome: PlanOutcome, targetId: string | undefined, diff: PlanEntry['diff']): void {
    if (outcome === 'create') this.#tally.created += 1;
    else this.#tally.updated += 1;
    this.#plan.options.onPlan?.({ sourceId, outcome, ...(targetId === undefined ? {} : { targetId }), diff });
    this.#settle(ticket);
  }

  /** A record that failed: dead-lettered (the run goes on), or a halt when no other record could succeed. */
  #fail(record: JsonRecord, ticket: PageTicket, error: unknown, origin: string): void {
    if (this.#isStopAbort(error)) {
      this.#drop();
      return;
    }
    const failure = toFerryError(error, origin);
    if (isSystemic(failure)) {
      this.#halt('failed', failure);
      this.#drop();
      return;
    }
    this.#remember(record);
    const sourceId = this.#sourceIdOf(record);
    this.#tally.deadLettered += 1;
    const loud = this.#tally.deadLettered <= LOUD_DEAD_LETTERS;
    const entry = { sourceId, code: failure.code, message: failure.message };
    if (loud) this.#log.warn(entry, 'record dead-lettered');
    else this.#log.debug(entry, 'record dead-lettered');
    if (this.#dryRun) {
      this.#plan.options.onPlan?.({ sourceId, outcome: 'error', diff: [], error: errorSummary(failure) });
    } else {
      const row = this.#plan.replayOf?.get(record);
      if (row !== undefined) {
        this.#committer.retried({ id: row.id, error: errorSummary(failure), attempts: row.attempts + 1 });
      } else {
        this.#committer.deadLetter({
          pipeline: this.#pipelineName,
          // A replay must write the record through the partition (location, token) it was read from.
          partition: this.#plan.options.partition ?? '',
          stream: this.#streamName,
          sourceId,
          record,
          error: errorSummary(failure),
          attempts: attemptsOf(failure),
        });
      }
    }
    this.#settle(ticket);
  }

  /** `when.became`: the record's verdict is committed with the batch that settles it. */
  #remember(record: JsonRecord): void {
    this.#compiled.links.transition?.settled(record, (entry) => this.#committer.value(entry));
  }

  #addLink(sourceId: string, targetId: string, hash: string, content: JsonRecord): void {
    const compiled = this.#compiled;
    this.#committer.link({
      sourceConnection: compiled.sourceConnection,
      sourceStream: compiled.links.stream,
      sourceId,
      targetConnection: compiled.to.connection,
      targetEntity: compiled.targetEntity,
      pipeline: this.#pipelineName,
      targetId,
      hash,
      content,
    });
  }

  // ---- halts, progress -------------------------------------------------------------------------------------

  /**
   * Stops reading. `drain` (the source failed, the destination is fine) still writes the records already read;
   * otherwise records not yet started are dropped and left, uncommitted, for the next run.
   */
  #halt(status: 'stopped' | 'failed', error?: FerryError, drain = false): void {
    if (!drain) this.#stopWork = true;
    const first = this.#haltStatus === undefined;
    if (first || (status === 'failed' && this.#haltStatus === 'stopped')) {
      this.#haltStatus = status;
      if (error !== undefined) this.#haltError = error;
      if (status === 'failed' && error !== undefined) {
        this.#log.error({ code: error.code, message: error.message, hint: error.hint }, 'run stopping');
      } else if (first) {
        this.#log.info('stop requested: finishing records in flight');
      }
    }
    this.#gate.wake();
  }

  #tick(): void {
    this.#emitProgress();
    this.#committer.flushIfDue(Date.now());
  }

  #emitProgress(): void {
    const onProgress = this.#plan.options.onProgress;
    if (onProgress === undefined) return;
    try {
      onProgress(this.#tally.progress());
    } catch (error) {
      this.#log.warn({ message: String(error) }, 'progress listener failed');
    }
  }

  // ---- small helpers ---------------------------------------------------------------------------------------

  #sourceIdOf(record: JsonRecord): string | undefined {
    // The link's source id: the record's key, or the id of the record whose link `to.link` borrows.
    const id = record[this.#compiled.links.idField];
    if (id === undefined || id === null || id === '') return undefined;
    if (typeof id === 'string') return id;
    if (typeof id === 'number' || typeof id === 'bigint' || typeof id === 'boolean') return String(id);
    return canonicalJson(id);
  }

  /** The source id of a page's record, or undefined when the page holds something that is not a record. */
  #pageIdOf(record: JsonRecord): string | undefined {
    return typeof record === 'object' && record !== null ? this.#sourceIdOf(record) : undefined;
  }

  #linkKey(sourceId: string): LinkKey {
    const compiled = this.#compiled;
    return {
      sourceConnection: compiled.sourceConnection,
      sourceStream: compiled.links.stream,
      sourceId,
      targetConnection: compiled.to.connection,
      targetEntity: compiled.targetEntity,
    };
  }

  /** A call aborted because the run is stopping (the caller's signal often aborts HTTP calls too): not the record's fault. */
  #isStopAbort(error: unknown): boolean {
    if (this.#haltStatus === undefined) return false;
    const signal = this.#plan.options.signal;
    return isAbortError(error) || (signal?.aborted === true && error === signal.reason);
  }

  #origin(step: CompiledStep): string {
    return `action ${step.action.name} (${step.label})`;
  }
}
