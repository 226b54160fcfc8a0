import { Pool, request } from 'undici';
import { API_VERSION, SANDBOX_LOCATION_ID, sandboxTokens } from '@ferry/connector-ghl/sandbox';
import type { PageReader } from './page-reader.js';

/** The connector's page size and order for a full read. */
const PAGE_LIMIT = 500;
const SORT = [{ field: 'dateUpdated', direction: 'asc' }] as const;

function contactsOf(body: unknown): readonly Record<string, unknown>[] {
  const contacts = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['contacts'] : undefined;
  if (!Array.isArray(contacts)) throw new Error('POST /contacts/search answered without a contacts list');
  return contacts as Record<string, unknown>[];
}

/**
 * The floor: `undici.request` over a keep-alive Pool, the same search bodies in the same sequence (searchAfter
 * from the last contact of each page), the JSON parsed, nothing else.
 */
export function openBareReader(baseUrl: string): PageReader {
  const pool = new Pool(baseUrl, { connections: 1, keepAliveTimeout: 10_000 });
  const headers = {
    accept: 'application/json',
    'content-type': 'application/json',
    authorization: `Bearer ${sandboxTokens(SANDBOX_LOCATION_ID).full}`,
    version: API_VERSION,
  };
  const bodies: string[] = [];
  let searchAfter: unknown;
  let finished = false;
  return {
    client: 'bare undici',
    async next() {
      if (finished) return undefined;
      const body = JSON.stringify({ locationId: SANDBOX_LOCATION_ID, pageLimit: PAGE_LIMIT, sort: SORT, ...(searchAfter === undefined ? {} : { searchAfter }) });
      bodies.push(body);
      const response = await request(`${baseUrl}/contacts/search`, { dispatcher: pool, method: 'POST', headers, body });
      if (response.statusCode !== 200) throw new Error(`POST /contacts/search answered ${response.statusCode}`);
      const contacts = contactsOf(await response.body.json());
      searchAfter = contacts.at(-1)?.['searchAfter'];
      finished = contacts.length < PAGE_LIMIT || searchAfter === undefined;
      return contacts.length;
    },
    bodies: () => bodies,
    close: () => pool.close(),
  };
}
