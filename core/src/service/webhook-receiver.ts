import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectorDef, TriggerEvent, WebhookDelivery } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ConnectionSpec, ProjectSpec } from '../contract/pipeline.js';
import type { ConnectorContext } from '../contract/context.js';
import type { ConnectorRegistry } from '../config/connector-registry.js';
import { isFerryError } from '../errors/ferry-error.js';
import type { ContextFactory } from '../runtime/context-factory.js';
import type { WebhookInbox } from '../store/webhook-inbox.js';
import { errorFields } from './error-fields.js';
import { replyJson } from './http-reply.js';
import { isAcceptedMediaType, mediaTypeOf, readRawBody } from './read-raw-body.js';
import type { DeliveryResult, ServiceMetrics } from './service-metrics.js';
import { endpointKey, type WebhookEndpoint } from './webhook-endpoints.js';
import type { WebhookAddress } from './webhook-path.js';

export interface WebhookReceiverOptions {
  readonly project: ProjectSpec;
  readonly registry: ConnectorRegistry;
  readonly endpoints: ReadonlyMap<string, WebhookEndpoint>;
  readonly inbox: WebhookInbox;
  /** Contexts handed to `verify` (one per connection, for the life of the service). */
  readonly contexts: ContextFactory;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  readonly maxBodyBytes: number;
  /** Media types a delivery may have (`application/json` also admits `application/*+json`). */
  readonly contentTypes: readonly string[];
  /** Called once a delivery is stored, so that the processor looks at the inbox at once. */
  readonly onStored: (delivery: { readonly connection: string; readonly trigger: string }) => void;
}

/** What one delivery came to: the status and body of the answer, and how it is counted. */
interface Verdict {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
  readonly result: DeliveryResult | undefined;
  readonly connection?: string;
  readonly trigger?: string;
  readonly close?: boolean;
}

const UNKNOWN_LABEL = '(unknown)';

function headerRecord(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function refusal(status: number, code: string, message: string, result: DeliveryResult | undefined, extra: Partial<Verdict> = {}): Verdict {
  return { status, body: { error: code, message }, result, ...extra };
}

/**
 * `POST /webhooks/<connection>[/<trigger>[/<secret>]]`: checks size and media type, reads the raw body,
 * verifies the delivery (signature or URL secret) before anything is stored, parses it, writes it to the inbox
 * (a redelivery with a known delivery id is acknowledged and not stored twice) and answers only after the write.
 */
export class WebhookReceiver {
  constructor(private readonly options: WebhookReceiverOptions) {}

  async receive(request: IncomingMessage, response: ServerResponse, address: WebhookAddress, log: Logger): Promise<void> {
    const verdict = await this.#judge(request, address, log);
    if (verdict.result !== undefined) this.options.metrics.delivery(verdict.connection ?? '', verdict.trigger ?? '', verdict.result);
    replyJson(response, verdict.status, verdict.body, verdict.close === true ? { close: true } : {});
    log.info({ status: verdict.status, result: verdict.result ?? 'not-found' }, 'webhook delivery answered');
  }

  async #judge(request: IncomingMessage, address: WebhookAddress, log: Logger): Promise<Verdict> {
    const { project, registry } = this.options;
    const connectionSpec = project.connections[address.connection];
    const connector = connectionSpec === undefined ? undefined : registry.get(connectionSpec.connector);
    if (connectionSpec === undefined || connector === undefined) {
      return refusal(404, 'WEBHOOK_NOT_FOUND', `no connection '${address.connection}' in this project`, undefined);
    }
    const connection = connectionSpec.name;
    if (address.trigger === undefined && connector.webhookRoute === undefined) {
      return refusal(404, 'WEBHOOK_NOT_FOUND', `connection '${connection}' takes deliveries per trigger: POST /webhooks/${connection}/<trigger>`, undefined);
    }
    if (address.trigger !== undefined && !this.options.endpoints.has(endpointKey(connection, address.trigger))) {
      return refusal(404, 'WEBHOOK_NOT_FOUND', `connection '${connection}' has no webhook trigger '${address.trigger}'`, undefined);
    }
    if (request.method !== 'POST') {
      return refusal(405, 'METHOD_NOT_ALLOWED', 'webhook deliveries are POSTed', undefined);
    }
    // Metric labels: names an unknown sender chose are never used as labels.
    const counted = { connection, trigger: address.trigger ?? UNKNOWN_LABEL };

    const mediaType = mediaTypeOf(request.headers['content-type']);
    if (!isAcceptedMediaType(mediaType, this.options.contentTypes)) {
      return refusal(415, 'WEBHOOK_UNSUPPORTED_MEDIA_TYPE', `content type ${mediaType ?? '(none)'} is not accepted (accepted: ${this.options.contentTypes.join(', ')})`, 'rejected', {
        ...counted,
        close: true,
      });
    }
    const body = await readRawBody(request, this.options.maxBodyBytes);
    if (body.kind === 'too-large') {
      return refusal(413, 'WEBHOOK_TOO_LARGE', `the body is larger than ${this.options.maxBodyBytes} bytes`, 'rejected', { ...counted, close: true });
    }
    const delivery: WebhookDelivery = {
      headers: headerRecord(request),
      rawBody: body.bytes,
      receivedAt: new Date(),
      ...(address.secret === undefined ? {} : { pathSecret: address.secret }),
    };

    const triggerName = address.trigger ?? routeOf(connector, delivery, log);
    if (triggerName === undefined) {
      return { status: 202, body: { status: 'ignored', note: `not an event connector '${connector.name}' handles` }, result: 'ignored', ...counted };
    }
    const endpoint = this.options.endpoints.get(endpointKey(connection, triggerName));
    if (endpoint !== undefined) counted.trigger = triggerName;
    if (endpoint === undefined) {
      return { status: 202, body: { status: 'ignored', note: `connection '${connection}' has no webhook trigger '${triggerName}'` }, result: 'ignored', ...counted };
    }

    try {
      endpoint.trigger.verify?.(this.#verifyContext(connectionSpec), delivery);
    } catch (error) {
      if (isFerryError(error) && error.code === 'WEBHOOK_REJECTED') {
        log.warn({ error: errorFields(error) }, 'webhook delivery rejected: verification failed');
        // The caller learns that it failed, not why: the reason helps a forger more than a sender.
        return refusal(401, 'WEBHOOK_REJECTED', 'the delivery could not be verified', 'rejected', counted);
      }
      log.error({ error: errorFields(error) }, 'webhook verification could not run');
      return refusal(500, 'WEBHOOK_VERIFY_FAILED', 'the delivery could not be checked; see the service log', 'rejected', counted);
    }

    if (endpoint.pipelines.length === 0) {
      return { status: 202, body: { status: 'ignored', note: `no pipeline listens to ${connection}/${triggerName}` }, result: 'ignored', ...counted };
    }

    let event: TriggerEvent;
    try {
      event = endpoint.parse(delivery);
    } catch (error) {
      log.warn({ error: errorFields(error) }, 'webhook delivery rejected: its body could not be parsed');
      const message = isFerryError(error) ? error.message : 'the body could not be parsed';
      return refusal(400, isFerryError(error) ? error.code : 'WEBHOOK_BAD_BODY', message, 'rejected', counted);
    }

    let stored: { inserted: boolean; id: number };
    try {
      stored = this.options.inbox.inboxPut({
        connection,
        trigger: triggerName,
        deliveryId: event.deliveryId,
        orderKey: event.orderKey,
        body: delivery.rawBody,
        receivedAt: delivery.receivedAt,
      });
    } catch (error) {
      log.error({ error: errorFields(error) }, 'storing a webhook delivery failed; the sender is asked to retry');
      return refusal(503, 'WEBHOOK_STORE_UNAVAILABLE', 'the delivery could not be stored; send it again later', 'unavailable', counted);
    }
    if (!stored.inserted) {
      log.info({ deliveryId: event.deliveryId }, 'duplicate webhook delivery acknowledged');
      return { status: 200, body: { status: 'duplicate', deliveryId: event.deliveryId }, result: 'duplicate', ...counted };
    }
    this.options.onStored({ connection, trigger: triggerName });
    return { status: 202, body: { status: 'accepted', deliveryId: event.deliveryId, records: event.records.length }, result: 'accepted', ...counted };
  }

  /**
   * The context `verify` gets. A partitioned connection acts for no single account (an agency over its locations):
   * its deliveries may belong to any partition, so its context has no account, and the delivery is routed to its
   * partition once it is processed.
   */
  #verifyContext(spec: ConnectionSpec): ConnectorContext {
    const context = this.options.contexts.context(spec.name);
    return spec.partitions === undefined ? context : { ...context, account: undefined };
  }
}

/** The trigger a connection-wide delivery belongs to; a throwing router counts as "not an event it knows". */
function routeOf(connector: ConnectorDef, delivery: WebhookDelivery, log: Logger): string | undefined {
  try {
    return connector.webhookRoute?.(delivery);
  } catch (error) {
    log.warn({ error: errorFields(error) }, 'the connector could not route the delivery');
    return undefined;
  }
}
