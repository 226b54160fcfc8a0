import { FerryError, type HttpClient } from '@ferry/core';

/** A location (sub-account) of the agency where the app is installed. */
export interface InstalledLocation {
  readonly id: string;
  readonly name: string | undefined;
}

export interface InstalledLocationsQuery {
  readonly companyId: string;
  readonly appId: string;
  /** Locations per page (the API's default is 20). */
  readonly pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 100;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unexpected(why: string): FerryError {
  return new FerryError('GHL_UNEXPECTED_RESPONSE', `GET /oauth/installedLocations answered in an unexpected shape: ${why}`, {
    hint: 'check that baseUrl points at the GHL API (or its sandbox); list the partitions in ferry.yaml meanwhile',
    details: { systemic: true },
  });
}

function readPage(body: unknown): InstalledLocation[] {
  if (!isRecord(body) || !Array.isArray(body['locations'])) throw unexpected('no locations list');
  return body['locations'].flatMap((item: unknown): InstalledLocation[] => {
    if (!isRecord(item) || typeof item['_id'] !== 'string' || item['_id'] === '') throw unexpected('a location without _id');
    // The filter asks for installed ones only; an answer that ignores it must not add the others.
    if (item['isInstalled'] === false) return [];
    return [{ id: item['_id'], name: typeof item['name'] === 'string' ? item['name'] : undefined }];
  });
}

/**
 * Every location of the agency where the app is installed: GET /oauth/installedLocations (an agency token with
 * `oauth.readonly`), `companyId` and `appId` as the spec requires, paged with skip/limit until a short page.
 */
export async function listInstalledLocations(http: HttpClient, query: InstalledLocationsQuery): Promise<InstalledLocation[]> {
  const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
  const found = new Map<string, InstalledLocation>();
  for (let skip = 0; ; skip += pageSize) {
    const response = await http.request({
      method: 'GET',
      path: '/oauth/installedLocations',
      query: { companyId: query.companyId, appId: query.appId, isInstalled: 'true', skip: String(skip), limit: String(pageSize) },
      scope: 'oauth.readonly',
    });
    const page = readPage(response.body);
    const before = found.size;
    for (const location of page) if (!found.has(location.id)) found.set(location.id, location);
    // A short page is the last; a page with nothing new means the server ignores `skip`.
    if (page.length < pageSize || found.size === before) return [...found.values()];
  }
}
