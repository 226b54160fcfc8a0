import { FerryError, type ConnectorContext, type PartitionDef } from '@ferry/core';
import { baseUrlOf } from '../config.js';
import { listInstalledLocations } from './installed-locations.js';
import { locationToken } from './location-tokens.js';

function setting(ctx: ConnectorContext, key: 'companyId' | 'appId'): string {
  const value = ctx.config[key];
  if (typeof value === 'string' && value !== '') return value;
  throw new FerryError('GHL_DISCOVERY_CONFIG', `connection '${ctx.connection}' has no ${key}: discovering its locations needs companyId and appId`, {
    hint: `set ${key} in the config of connection '${ctx.connection}' (the agency id, and the app id: the client id before its first dash)`,
    details: { connection: ctx.connection, missing: key, systemic: true },
  });
}

/**
 * `partitions: discover` for an agency connection: one partition per location where the app is installed, its
 * config `{ locationId }` and a location token minted from the agency token (and reused until it expires).
 */
export async function discoverLocations(ctx: ConnectorContext): Promise<readonly PartitionDef[]> {
  const companyId = setting(ctx, 'companyId');
  const appId = setting(ctx, 'appId');
  const baseUrl = baseUrlOf(ctx.config);
  const locations = await listInstalledLocations(ctx.http, { companyId, appId });
  return locations.map((location) => ({
    id: location.id,
    ...(location.name === undefined ? {} : { label: location.name }),
    config: { locationId: location.id },
    token: locationToken(ctx.http, { baseUrl, appId, companyId, locationId: location.id }),
  }));
}
