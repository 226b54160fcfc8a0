import { redactPath } from '../http/redact.js';

/** Where webhook deliveries are posted: `/webhooks/<connection>[/<trigger>[/<secret>]]`. */
export const WEBHOOK_PREFIX = '/webhooks';

/** A request path under `/webhooks`, split into its parts (segments URL-decoded). */
export interface WebhookAddress {
  readonly connection: string;
  /** Undefined for `/webhooks/<connection>`: the connector routes the delivery by its content. */
  readonly trigger: string | undefined;
  /** The last segment of `/webhooks/<connection>/<trigger>/<secret>`. */
  readonly secret: string | undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // a malformed escape names nothing we serve
  }
}

/**
 * The address of a webhook path, 'outside' for any other path, or 'invalid' for a path under `/webhooks` that
 * cannot name an endpoint (no connection, too many segments, bad escapes).
 */
export function parseWebhookPath(pathname: string): WebhookAddress | 'outside' | 'invalid' {
  if (pathname !== WEBHOOK_PREFIX && !pathname.startsWith(`${WEBHOOK_PREFIX}/`)) return 'outside';
  const raw = pathname.slice(WEBHOOK_PREFIX.length + 1).replace(/\/$/, '');
  const segments = raw === '' ? [] : raw.split('/');
  if (segments.length === 0 || segments.length > 3) return 'invalid';
  const decoded = segments.map(decodeSegment);
  if (decoded.some((segment) => segment === undefined || segment === '')) return 'invalid';
  const [connection, trigger, secret] = decoded as [string, string | undefined, string | undefined];
  return { connection, trigger, secret };
}

/**
 * A request path fit for logs: the URL secret of a webhook path and secret query parameters become `***`.
 * Everything after `/webhooks/<connection>/<trigger>` is treated as secret, whatever it is.
 */
export function redactWebhookPath(pathWithQuery: string): string {
  const redacted = redactPath(pathWithQuery);
  const queryAt = redacted.indexOf('?');
  const pathname = queryAt === -1 ? redacted : redacted.slice(0, queryAt);
  const query = queryAt === -1 ? '' : redacted.slice(queryAt);
  if (!pathname.startsWith(`${WEBHOOK_PREFIX}/`)) return redacted;
  const segments = pathname.split('/'); // ['', 'webhooks', connection, trigger, secret…]
  if (segments.length <= 4) return redacted;
  return `${segments.slice(0, 4).join('/')}/***${query}`;
}

/** The path a trigger is served at, for listings (`/webhooks/salesmsg/contact.created/***`). */
export function webhookPathOf(connection: string, trigger: string | undefined, withSecret: boolean): string {
  const parts = [WEBHOOK_PREFIX, encodeURIComponent(connection)];
  if (trigger !== undefined) parts.push(encodeURIComponent(trigger));
  if (withSecret) parts.push('***');
  return parts.join('/');
}
