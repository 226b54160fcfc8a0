import type { ConnectorDef, OAuth2AuthKind } from '../contract/connector.js';

/**
 * Where refreshes go for a connection: `config.tokenUrl` when set; a relative tokenUrl resolves against the
 * base URL; an absolute one on the connector's default API host follows the base URL when the connection points
 * elsewhere (sandbox, white-label), so a sandboxed run never refreshes against the real API.
 */
export function resolveTokenUrl(connector: ConnectorDef, auth: OAuth2AuthKind, config: Readonly<Record<string, unknown>>, baseUrl: string): string {
  const configured = config['tokenUrl'];
  if (typeof configured === 'string' && configured !== '') return configured;
  const resolved = new URL(auth.tokenUrl, baseUrl);
  let defaultOrigin: string | undefined;
  try {
    defaultOrigin = connector.http === undefined ? undefined : new URL(connector.http.baseUrl({})).origin;
  } catch {
    defaultOrigin = undefined; // the connector cannot name a default base URL without settings
  }
  const base = new URL(baseUrl);
  if (defaultOrigin !== undefined && resolved.origin === defaultOrigin && base.origin !== defaultOrigin) {
    return new URL(`${resolved.pathname}${resolved.search}`, base.origin).toString();
  }
  return resolved.toString();
}
