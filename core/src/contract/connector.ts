import type { JsonRecord, JsonSchema } from './json-schema.js';
import type { ConnectorContext } from './context.js';
import type { SandboxLoader } from './sandbox.js';
import type { HttpProfile } from './http.js';

/**
 * The connector contract: plain typed data and functions. A connector package exports one object made by
 * `defineConnector`; the catalog, the scope checks and the conformance suite are all derived from it.
 */

export type SyncMode = 'full' | 'incremental';

/** Opaque, JSON-serialisable position in a stream; the engine stores it and hands it back on resume. */
export type CheckpointState = JsonRecord;

export interface ReadRequest {
  readonly mode: SyncMode;
  /** The last committed state, or undefined on a first (or `--full`) run. */
  readonly state: CheckpointState | undefined;
  /** Values from `--param k=v`, the pipeline's `from.params`, or the parent record for child streams. */
  readonly params: Readonly<Record<string, unknown>>;
}

export interface Page<R extends JsonRecord = JsonRecord> {
  readonly records: readonly R[];
  /**
   * The state to resume from once every record of this page (and of every earlier page) is acknowledged.
   * Resuming from it must never skip a record that comes after it.
   */
  readonly state: CheckpointState;
  /** Total records the stream will yield, when the API says so (drives done/total in progress output). */
  readonly total?: number;
}

export interface StreamDef<R extends JsonRecord = JsonRecord> {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of one record. */
  readonly schema: JsonSchema;
  /** Field that identifies a record within the stream. */
  readonly primaryKey: string;
  /** Field that orders records for incremental syncs; required when `syncModes` includes 'incremental'. */
  readonly cursorField?: string;
  readonly syncModes: readonly SyncMode[];
  /** Scope a token must carry to read this stream (undefined: no auth). */
  readonly scope?: string;
  /** JSON Schema of the params the stream accepts (e.g. `{ contactId }`); unknown params are errors. */
  readonly params?: JsonSchema;
  /** A child stream (a contact's tasks) names its parent stream and the parent field passed as a param. */
  readonly parent?: { readonly stream: string; readonly param: string; readonly from: string };
  /** HTTP method and path the stream reads with, for HTTP connectors; shown in the catalog like an action's. */
  readonly http?: { readonly method: string; readonly path: string };
  /**
   * For streams whose shape depends on the connection's settings (a file's key column, a CSV's typed columns):
   * the schema, primary key and cursor field for this config. Callers use `resolveStream`, never the raw fields.
   */
  readonly shapeFor?: (config: Readonly<Record<string, unknown>>) => StreamShape;
  read(ctx: ConnectorContext, request: ReadRequest): AsyncIterable<Page<R>>;
}

/** The config-dependent part of a stream (see `StreamDef.shapeFor`). */
export interface StreamShape {
  readonly schema?: JsonSchema;
  readonly primaryKey?: string;
  readonly cursorField?: string;
}

/** The stream as a connection with this config sees it: `shapeFor` applied over the static definition. */
export function resolveStream(stream: StreamDef, config: Readonly<Record<string, unknown>>): StreamDef {
  if (stream.shapeFor === undefined) return stream;
  const shape = stream.shapeFor(config);
  const resolved: StreamDef = {
    ...stream,
    ...(shape.schema === undefined ? {} : { schema: shape.schema }),
    ...(shape.primaryKey === undefined ? {} : { primaryKey: shape.primaryKey }),
    ...(shape.cursorField === undefined ? {} : { cursorField: shape.cursorField }),
  };
  return resolved;
}

export type ActionOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'skipped';

/** How an action behaves when it is replayed after a crash; the engine relies on it for exactly-once effects. */
export type Idempotence =
  | 'idempotent' // the same call twice has the effect of one (PUT, DELETE, upsert by primary key)
  | 'upsert' // the API matches on fields and updates instead of creating twice
  | 'search-before-create' // the connector looks for an existing record before creating
  | 'none'; // replay may duplicate: the engine guards with the link table only

export interface ActionRequest<I extends JsonRecord = JsonRecord> {
  /** The mapped record (after `map`), validated against `input`. */
  readonly input: I;
  /** Options from the pipeline's `to.with` / `then[].with`, validated against `options`. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The destination id this source record was last written to, from the link table. */
  readonly linkedId: string | undefined;
  /** The source stream the record came from (a warehouse destination derives its table from it). */
  readonly source: { readonly connector: string; readonly stream: string; readonly schema: JsonSchema; readonly primaryKey: string };
  /** The record written by the previous step, for `then` actions (its id, its fields). */
  readonly previous?: ActionResult;
  /** The pipeline's `match` fields (upsert / search-before-create), in order of preference. */
  readonly match?: readonly string[];
}

export interface ActionResult {
  readonly outcome: ActionOutcome;
  /** Id of the destination record, stored in the link table. */
  readonly id?: string;
  readonly record?: JsonRecord;
}

/** One request's answer from `ActionDef.runBatch`: its result, or the error that request alone failed with. */
export type ActionBatchItem = { readonly result: ActionResult } | { readonly error: unknown };

export interface ActionDef<I extends JsonRecord = JsonRecord> {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the mapped record the action accepts. */
  readonly input: JsonSchema;
  /** JSON Schema of the pipeline-side options (`with:`). */
  readonly options?: JsonSchema;
  readonly scope?: string;
  readonly idempotence: Idempotence;
  /** HTTP method and path for HTTP connectors, shown in the catalog. */
  readonly http?: { readonly method: string; readonly path: string };
  run(ctx: ConnectorContext, request: ActionRequest<I>): Promise<ActionResult>;
  /**
   * Optional: takes many requests at once (a SQLite destination writes them in one transaction). It gives one
   * answer per request, in order, exactly as `run` would have answered it, and resolves only once every result it
   * reports is durable: the engine acknowledges those records as soon as it resolves. A rejection fails every
   * request of the call. The engine uses it, when present, for records that have no `then` steps.
   */
  runBatch?(ctx: ConnectorContext, requests: readonly ActionRequest<I>[]): Promise<readonly ActionBatchItem[]>;
  /**
   * Optional read-only look-up of the record a run would touch, used by `ferry plan` and `ferry studio` to
   * show create/update with field-level diffs without writing.
   */
  find?(ctx: ConnectorContext, request: ActionRequest<I>): Promise<JsonRecord | undefined>;
}

export interface WebhookDelivery {
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes: signatures are computed over them, never over re-serialised JSON. */
  readonly rawBody: Buffer;
  /** Path parameters after the trigger's mount point (e.g. the URL secret). */
  readonly pathSecret?: string;
  readonly receivedAt: Date;
}

export interface TriggerEvent {
  /** Stable id of the delivery, for de-duplication in the inbox. */
  readonly deliveryId: string;
  /** Records the event yields for the pipeline's source stream. */
  readonly records: readonly JsonRecord[];
  /** Key that orders processing (deliveries of one contact are processed in order). */
  readonly orderKey?: string;
  /**
   * Which partition of a partitioned connection the event belongs to (GHL: the payload's `locationId`), matched
   * against `ConnectorDef.partitionKey` of each partition. Ignored for connections that are not partitioned.
   */
  readonly partitionKey?: string;
}

export interface TriggerDef {
  /** e.g. `contact.created` or `ContactCreate`. */
  readonly name: string;
  readonly description: string;
  readonly kind: 'webhook' | 'poll';
  /** The stream whose records this trigger yields. */
  readonly stream: string;
  /**
   * Deliveries carry a secret as the last segment of the webhook URL (`delivery.pathSecret`), e.g.
   * `/webhooks/salesmsg/contact.created/<secret>`; listings show where it goes (masked).
   */
  readonly urlSecret?: boolean;
  /**
   * Verifies a delivery; throws a FerryError (code `WEBHOOK_REJECTED`) on a bad one. Constant-time. For a
   * partitioned connection `ctx` is the connection's own context with `account` undefined: the delivery may belong
   * to any of its partitions, and is routed to its partition afterwards by `TriggerEvent.partitionKey`.
   */
  verify?(ctx: ConnectorContext, delivery: WebhookDelivery): void;
  /** Turns a verified delivery into records; parses defensively. */
  parse?(delivery: WebhookDelivery): TriggerEvent;
}

export interface OAuth2AuthKind {
  readonly kind: 'oauth2';
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  /**
   * Where refresh grants are posted when the provider documents a route of its own (Salesmsg
   * `…/oauth/token/refresh`); default `tokenUrl`.
   */
  readonly refreshUrl?: string;
  /** Separator the provider wants between scopes in the authorize URL. */
  readonly scopeSeparator: ' ' | ',';
  /** Reads the account (GHL locationId) from a token response. */
  readonly accountFrom?: (tokenResponse: JsonRecord) => string | undefined;
  /** Extra form fields the token endpoint expects (GHL `user_type`). */
  readonly extraTokenParams?: Readonly<Record<string, string>>;
  /** How long before expiry a token is refreshed proactively. */
  readonly refreshSkewMs?: number;
  /**
   * The grant of a connection declared with `partitions: discover`, when the provider issues such connections a
   * token of another kind (GHL: an agency `Company` token, which lists the locations and mints their tokens).
   */
  readonly forPartitions?: OAuth2PartitionsGrant;
}

/**
 * How a `partitions: discover` connection is authorized: its fields replace the connector's in the code exchange
 * and in every refresh of that connection's token, and its scopes are asked for besides the pipelines' own.
 */
export interface OAuth2PartitionsGrant {
  /** What the provider calls this kind of token, for messages ("agency (Company) token"). */
  readonly label: string;
  /** What listing the partitions and reaching them needs (GHL `oauth.readonly`, `oauth.write`). */
  readonly scopes: readonly string[];
  /** Replaces `extraTokenParams` (GHL `user_type: Company`). */
  readonly extraTokenParams?: Readonly<Record<string, string>>;
  /** Replaces `accountFrom` (GHL: the companyId of the response). */
  readonly accountFrom?: (tokenResponse: JsonRecord) => string | undefined;
}

export interface BearerAuthKind {
  readonly kind: 'bearer';
  /** What the token is called in the vendor's UI (Private Integration Token, Personal Access Token). */
  readonly label: string;
}

export type AuthKind = OAuth2AuthKind | BearerAuthKind | { readonly kind: 'none' };

export interface RateWindow {
  readonly max: number;
  readonly perMs: number;
}

export interface RateHeaderReading {
  readonly remaining?: number;
  readonly resetInMs?: number;
  readonly dailyRemaining?: number;
}

export interface RateLimits {
  /** Every window is enforced ahead of time (e.g. 100 per 10 s and 200,000 per day). */
  readonly windows: readonly RateWindow[];
  /** Wait this long after a 429 when the server says nothing (Salesmsg: 60 s). */
  readonly penaltyMs?: number;
  readonly maxConcurrent?: number;
  readHeaders?(headers: Readonly<Record<string, string | undefined>>): RateHeaderReading;
}

export interface ScopeSet {
  /** Scope requested when a pipeline only reads. */
  readonly read: readonly string[];
  /** Scopes added when a pipeline writes. */
  readonly write: readonly string[];
  /** Legacy scopes that grant everything on their own (Salesmsg's older tokens carry only `public-api`). */
  readonly grantsAll?: readonly string[];
}

/**
 * A credential of one partition (a location token minted from an agency token): fetched when first needed and
 * reused until shortly before it expires. Same shape as the HTTP client's token provider.
 */
export interface PartitionToken {
  /** A token that is valid now. */
  getToken(): Promise<string>;
  /** Called on a 401 with the token that failed: true when a different token is now available. */
  onUnauthorized(failedToken?: string): Promise<boolean>;
  /** Scopes the token grants, when known. */
  readonly scopes: readonly string[];
}

/**
 * One part of a connection's data that runs on its own — a GHL location of an agency: its own checkpoint, its
 * own rate-limit budget, its own token. Discovered by `ConnectorDef.partitions` or listed in ferry.yaml.
 */
export interface PartitionDef {
  /** Stable id (stored with checkpoints and runs): the GHL locationId. */
  readonly id: string;
  /** What a person calls it (the location's name). */
  readonly label?: string;
  /** Settings merged over the connection's config for this partition (e.g. `{ locationId }`). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The partition's own credential, when the connection's token cannot act for it directly. */
  readonly token?: PartitionToken;
}

export interface ConnectorDef {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** JSON Schema of a connection's settings in ferry.yaml (base URL, account id, paths, …). */
  readonly configSchema: JsonSchema;
  readonly auth: readonly AuthKind[];
  readonly scopes?: ScopeSet;
  readonly limits?: RateLimits;
  /** Present for HTTP connectors: how the core client talks to the API. */
  readonly http?: HttpProfile;
  readonly streams: readonly StreamDef[];
  readonly actions: readonly ActionDef[];
  readonly triggers: readonly TriggerDef[];
  /** Loads the connector's sandbox, a simulator of its API (`ferry sandbox <connector>`, tests). */
  readonly sandbox?: SandboxLoader;
  /**
   * For providers that post every event to one URL (a GHL app's webhook URL): the name of the webhook trigger a
   * delivery belongs to, read from its raw body or headers (undefined: not an event this connector knows).
   * `ferry serve` then also accepts deliveries at `/webhooks/<connection>` and verifies them with that trigger.
   */
  readonly webhookRoute?: (delivery: WebhookDelivery) => string | undefined;
  /**
   * Lists the partitions a connection reaches, for connections declared with `partitions: discover` (an agency
   * token and the locations its app is installed in). `ctx` is the connection's own context, unpartitioned.
   */
  partitions?(ctx: ConnectorContext): Promise<readonly PartitionDef[]>;
  /**
   * The key a webhook event names its partition by (`TriggerEvent.partitionKey`), given one partition's config
   * merged over its connection's (GHL: `config.locationId`). Absent, or undefined for a partition: its id is the key.
   */
  partitionKey?(config: Readonly<Record<string, unknown>>): string | undefined;
}

/** Identity function that gives a connector object its types (like vite's defineConfig). */
export function defineConnector<const C extends ConnectorDef>(connector: C): C {
  return connector;
}

/** Types a stream's records while it is written; the connector lists it as a plain StreamDef. */
export function defineStream<R extends JsonRecord>(stream: StreamDef<R>): StreamDef {
  return stream;
}

/** Types an action's input while it is written; the connector lists it as a plain ActionDef. */
export function defineAction<I extends JsonRecord>(action: ActionDef<I>): ActionDef {
  return action;
}
