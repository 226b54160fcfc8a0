import { randomUUID } from 'node:crypto';
import type { JsonRecord } from '@ferry/core';

export const WEBHOOK_EVENTS = [
  'contact.created',
  'contact.updated',
  'contact.opted_out',
  'contact.tag_added',
  'message.received',
  'message.sent',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

export interface DeliveryRecord {
  readonly event: string;
  readonly url: string;
  /** HTTP status of the receiver's answer; 0 when it could not be reached. */
  readonly status: number;
}

const KEEP_DELIVERIES = 200;

/**
 * Sends webhook deliveries as the API does: `POST` with the JSON envelope `{event, data}`. Deliveries caused by
 * API calls go out after the call has answered (never inside it) and can be awaited with `flush()`.
 */
export class WebhookOutbox {
  readonly urls: string[];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly log: DeliveryRecord[] = [];
  private sent = 0;
  private failed = 0;

  constructor(
    urls: readonly string[],
    private readonly deliveryIdHeader: string | undefined,
  ) {
    this.urls = [...urls];
  }

  subscribe(url: string): void {
    if (!this.urls.includes(url)) this.urls.push(url);
  }

  enqueue(event: WebhookEventName, data: JsonRecord): void {
    for (const url of this.urls) {
      const delivery = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.deliver(url, event, data));
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  /** POSTs one delivery and records the answer's status (0 when the receiver cannot be reached). */
  async deliver(url: string, event: string, data: JsonRecord): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Salesmsg-Webhooks (ferry sandbox)' };
    if (this.deliveryIdHeader !== undefined) headers[this.deliveryIdHeader] = randomUUID();
    let status = 0;
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ event, data }), signal: AbortSignal.timeout(10_000) });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) this.sent += 1;
    else this.failed += 1;
    this.log.push({ event, url, status });
    if (this.log.length > KEEP_DELIVERIES) this.log.splice(0, this.log.length - KEEP_DELIVERIES);
    return status;
  }

  /** Waits until every queued delivery has been answered. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled(this.pending);
  }

  stats(): JsonRecord {
    return { subscribers: this.urls.length, sent: this.sent, failed: this.failed, pending: this.pending.size };
  }

  snapshot(): JsonRecord {
    return { urls: [...this.urls], deliveries: this.log.map((d) => ({ ...d })) };
  }
}
