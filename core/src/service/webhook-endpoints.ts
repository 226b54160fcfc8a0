import type { ConnectorDef, TriggerDef, TriggerEvent, WebhookDelivery } from '../contract/connector.js';
import type { PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import type { ConnectorRegistry } from '../config/connector-registry.js';
import { FerryError } from '../errors/ferry-error.js';
import { webhookPathOf } from './webhook-path.js';

/** One webhook trigger of one connection: what `POST /webhooks/<connection>/<trigger>` verifies, parses and feeds. */
export interface WebhookEndpoint {
  readonly connection: string;
  readonly connector: ConnectorDef;
  readonly trigger: TriggerDef;
  /** The trigger's `parse` (every served trigger has one). */
  parse(delivery: WebhookDelivery): TriggerEvent;
  /** Pipelines whose `on` lists `<connection>/<trigger>`, in project order. */
  readonly pipelines: readonly PipelineSpec[];
}

/** How a served endpoint is shown to people (`ferry serve` prints these). */
export interface WebhookEndpointInfo {
  readonly method: 'POST';
  /** Path with the URL secret masked, e.g. `/webhooks/salesmsg/contact.created/***`. */
  readonly path: string;
  readonly connection: string;
  /** Undefined for a connection-wide endpoint that routes each delivery by its content. */
  readonly trigger: string | undefined;
  readonly pipelines: readonly string[];
  /** False when the trigger has no `verify`: anyone who can reach the URL can post to it. */
  readonly verified: boolean;
}

/** `<connection>/<trigger>`, as pipelines write it in `on: - webhook:`. */
export function endpointKey(connection: string, trigger: string): string {
  return `${connection}/${trigger}`;
}

/**
 * Every webhook trigger of every connection of the project, with the pipelines that listen to it. Triggers
 * without `parse` cannot produce records and are not served.
 */
export function buildWebhookEndpoints(
  project: ProjectSpec,
  registry: ConnectorRegistry,
  pipelines: readonly PipelineSpec[],
): ReadonlyMap<string, WebhookEndpoint> {
  const listeners = new Map<string, PipelineSpec[]>();
  for (const pipeline of pipelines) {
    for (const on of pipeline.on) {
      if (on.webhook === undefined) continue;
      const list = listeners.get(on.webhook) ?? [];
      if (!list.includes(pipeline)) list.push(pipeline);
      listeners.set(on.webhook, list);
    }
  }
  const endpoints = new Map<string, WebhookEndpoint>();
  for (const connection of Object.values(project.connections)) {
    const connector = registry.get(connection.connector);
    if (connector === undefined) continue;
    for (const trigger of connector.triggers) {
      if (trigger.kind !== 'webhook' || trigger.parse === undefined) continue;
      const key = endpointKey(connection.name, trigger.name);
      endpoints.set(key, {
        connection: connection.name,
        connector,
        trigger,
        parse: (delivery) => parseWith(trigger, delivery),
        pipelines: listeners.get(key) ?? [],
      });
    }
  }
  return endpoints;
}

function parseWith(trigger: TriggerDef, delivery: WebhookDelivery): TriggerEvent {
  const event = trigger.parse?.(delivery);
  if (event === undefined) {
    throw new FerryError('WEBHOOK_NO_PARSER', `trigger '${trigger.name}' cannot turn deliveries into records`, { hint: 'the connector must give the trigger a parse function' });
  }
  return event;
}

/** The endpoints some pipeline listens to, plus one connection-wide endpoint per connector that routes by content. */
export function describeWebhookEndpoints(endpoints: ReadonlyMap<string, WebhookEndpoint>): WebhookEndpointInfo[] {
  const infos: WebhookEndpointInfo[] = [];
  const routed = new Map<string, { pipelines: Set<string>; verified: boolean }>();
  for (const endpoint of endpoints.values()) {
    if (endpoint.pipelines.length === 0) continue;
    const pipelines = endpoint.pipelines.map((p) => p.name);
    const verified = endpoint.trigger.verify !== undefined;
    infos.push({
      method: 'POST',
      path: webhookPathOf(endpoint.connection, endpoint.trigger.name, endpoint.trigger.urlSecret === true),
      connection: endpoint.connection,
      trigger: endpoint.trigger.name,
      pipelines,
      verified,
    });
    if (endpoint.connector.webhookRoute !== undefined && endpoint.trigger.urlSecret !== true) {
      const entry = routed.get(endpoint.connection) ?? { pipelines: new Set<string>(), verified: true };
      for (const name of pipelines) entry.pipelines.add(name);
      entry.verified &&= verified;
      routed.set(endpoint.connection, entry);
    }
  }
  for (const [connection, entry] of routed) {
    infos.push({ method: 'POST', path: webhookPathOf(connection, undefined, false), connection, trigger: undefined, pipelines: [...entry.pipelines], verified: entry.verified });
  }
  return infos;
}
