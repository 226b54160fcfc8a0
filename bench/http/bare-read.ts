import { Pool, request } from 'undici';
import { API_VERSION, SANDBOX_LOCATION_ID, sandboxTokens } from '@ferry/connector-ghl/sandbox';
import { timed, type ReadOutcome } from './read-outcome.js';

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
export async function readBare(baseUrl: string, maxPages = Number.POSITIVE_INFINITY): Promise<ReadOutcome> {
  const pool = new Pool(baseUrl, { connections: 1, keepAliveTimeout: 10_000 });
  const headers = {
    accept: 'application/json',
    'content-type': 'application/json',
    authorization: `Bearer ${sandboxTokens(SANDBOX_LOCATION_ID).full}`,
    version: API_VERSION,
  };
  try {
    const bodies: string[] = [];
    const outcome = await timed(async () => {
      let records = 0;
      let pages = 0;
      let searchAfter: unknown;
      for (;;) {
        const body = JSON.stringify({ locationId: SANDBOX_LOCATION_ID, pageLimit: PAGE_LIMIT, sort: SORT, ...(searchAfter === undefined ? {} : { searchAfter }) });
        bodies.push(body);
        const response = await request(`${baseUrl}/contacts/search`, { dispatcher: pool, method: 'POST', headers, body });
        if (response.statusCode !== 200) throw new Error(`POST /contacts/search answered ${response.statusCode}`);
        const contacts = contactsOf(await response.body.json());
        records += contacts.length;
        pages += 1;
        searchAfter = contacts.at(-1)?.['searchAfter'];
        if (contacts.length < PAGE_LIMIT || searchAfter === undefined || pages >= maxPages) break;
      }
      return { client: 'bare undici', records, pages, bodies: [] };
    });
    return { ...outcome, bodies };
  } finally {
    await pool.close();
  }
}
