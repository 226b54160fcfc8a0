import type { ActionRequest, ActionResult, WebhookDelivery } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';

export interface StreamFixture {
  /** Params the stream is read with (a child stream's parent id, …). */
  readonly params?: Record<string, unknown>;
  /** The read must yield at least this many records (default 1, so the resume checks have something to resume). */
  readonly minRecords?: number;
  /** Skip this stream, saying why. */
  readonly skip?: string;
}

export interface ActionFixture {
  /** Must be accepted by the action's input schema. */
  readonly validInput: JsonRecord;
  /** Must be rejected by the action's input schema. */
  readonly invalidInput: unknown;
  /** `with:` options (validated against the action's options schema when it has one). */
  readonly options?: Record<string, unknown>;
  /**
   * Also run the action with `validInput`: the result must be well-formed, `find` (when the action has it) must then
   * see the record, and for replay-safe actions a second run must not create again.
   */
  readonly run?: boolean;
  readonly linkedId?: string;
  readonly previous?: ActionResult;
  /** The source stream the record comes from (default: a stream `conformance` with an open schema keyed by `id`). */
  readonly source?: ActionRequest['source'];
  readonly skip?: string;
}

export interface TriggerFixture {
  /** A delivery the trigger must accept (verify passes) and turn into records of its stream. */
  delivery(): WebhookDelivery | Promise<WebhookDelivery>;
  /** Records the delivery must yield (default: at least one). */
  readonly records?: number;
  readonly skip?: string;
}

/** What `describeConformance` needs to exercise a connector. */
export interface ConformanceFixture {
  readonly validConfig: Record<string, unknown>;
  /** Each must be rejected by the connector's configSchema. */
  readonly invalidConfigs: ReadonlyArray<{ readonly config: unknown; readonly because: string }>;
  /** A fresh context (e.g. against a sandbox) for each check. */
  context(): Promise<ConnectorContext> | ConnectorContext;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** Per-stream settings; streams without an entry are read with no params. */
  readonly streams?: Readonly<Record<string, StreamFixture>>;
  /** One entry per action (or a `skip` with the reason). */
  readonly actions?: Readonly<Record<string, ActionFixture>>;
  readonly triggers?: Readonly<Record<string, TriggerFixture>>;
  /** A call that must fail (a bad linkedId, bad params, a broken file): it must reject with a FerryError with a hint. */
  readonly errorCase?: (ctx: ConnectorContext) => Promise<unknown>;
  /** The code `errorCase` must fail with, when it matters. */
  readonly errorCode?: string;
  /** Resume checks per stream and mode, spread evenly over the pages (default 25). */
  readonly maxResumeChecks?: number;
}
