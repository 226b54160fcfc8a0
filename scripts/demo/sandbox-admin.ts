import { waitFor, type FerryProcess } from '../../test/support/ferry-cli.js';

type Json = Record<string, unknown>;

/** Where `ferry sandbox … --json` listens: the one JSON line it prints once it is up. */
export async function sandboxUrl(started: FerryProcess, connector: string): Promise<string> {
  const line = await waitFor(() => {
    if (started.child.exitCode !== null) throw new Error(`ferry sandbox ${connector} exited: ${started.stderr()}`);
    return started.stdout().split('\n').find((l) => l.startsWith('{'));
  }, `the ${connector} sandbox to listen`);
  return (JSON.parse(line) as { url: string }).url;
}

export function portOf(url: string): string {
  return new URL(url).port;
}

async function json(response: Response, what: string): Promise<Json> {
  const body = (await response.json()) as Json;
  if (!response.ok) throw new Error(`${what}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

export interface GhlContact extends Json {
  readonly id: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly tags?: string[];
  readonly source?: string;
}
export interface GhlTask extends Json {
  readonly id: string;
  readonly contactId: string;
  readonly title?: string;
}
export interface GhlLocation {
  readonly id: string;
  readonly contacts: GhlContact[];
  readonly tasks: GhlTask[];
}

/** The GHL sandbox's data for one location (its admin route; no token needed on loopback). */
export async function ghlLocation(ghlUrl: string, locationId: string): Promise<GhlLocation> {
  const state = await json(await fetch(`${ghlUrl}/__sandbox/state`), 'the GHL sandbox state');
  const location = (state['locations'] as GhlLocation[]).find((l) => l.id === locationId);
  if (location === undefined) throw new Error(`the GHL sandbox has no location ${locationId}`);
  return location;
}

export interface SalesmsgContact extends Json {
  readonly id: number;
  readonly full_name: string | null;
  readonly number: string | null;
  readonly opt_out: boolean | null;
  readonly is_blocked: boolean | null;
  readonly tags: { id: number; label: string }[];
}

export async function salesmsgContacts(salesmsgUrl: string): Promise<SalesmsgContact[]> {
  return (await json(await fetch(`${salesmsgUrl}/__sandbox/state`), 'the Salesmsg sandbox state'))['contacts'] as SalesmsgContact[];
}

/** Tags a Salesmsg contact through the public API, as a person in the Salesmsg app would (the tag is created if new). */
export async function salesmsgAddTag(salesmsgUrl: string, token: string, contactId: number, label: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const api = `${salesmsgUrl}/pub/v2.3`;
  const tags = (await json(await fetch(`${salesmsgUrl}/__sandbox/state`), 'the Salesmsg sandbox state'))['tags'] as { id: number; label: string }[];
  const tag =
    tags.find((t) => t.label === label) ??
    ((await json(await fetch(`${api}/tags?label=${encodeURIComponent(label)}`, { method: 'POST', headers }), 'creating the tag')) as unknown as { id: number });
  await json(await fetch(`${api}/tags/contact/${contactId}/${tag.id}`, { method: 'PUT', headers }), 'tagging the contact');
}

/** Has the Salesmsg sandbox deliver one webhook event now to `url`; answers the receiver's HTTP status. */
export async function salesmsgEmitWebhook(salesmsgUrl: string, url: string, event: string, contactId: number): Promise<number> {
  const response = await fetch(`${salesmsgUrl}/__sandbox/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, event, contactId }),
  });
  const body = await json(response, `sending ${event}`);
  if (typeof body['status'] !== 'number') throw new Error(`the sandbox did not send ${event}: ${JSON.stringify(body)}`);
  return body['status'];
}

/** Polls until `check` gives a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `ferry serve` has no delivery left in its inbox and no pipeline running. */
export async function serviceIdle(serveUrl: string): Promise<void> {
  await eventually(async () => {
    const health = (await (await fetch(`${serveUrl}/healthz`)).json()) as { inboxDepth: number; runningPipelines: string[] };
    return health.inboxDepth === 0 && health.runningPipelines.length === 0 ? true : undefined;
  }, 'the service to be idle');
}
