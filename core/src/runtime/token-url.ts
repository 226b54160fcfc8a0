import type { ConnectorDef, OAuth2AuthKind } from '../contract/connector.js';

function setting(config: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function defaultApiOrigin(connector: ConnectorDef): string | undefined {
  try {
    return connector.http === undefined ? undefined : new URL(connector.http.baseUrl({})).origin;
  } catch {
    return undefined; // the connector cannot name a default base URL without settings
  }
}

/**
 * A URL of the connector's OAuth endpoints as this connection reaches it: relative URLs resolve against the base
 * URL, and an absolute one on the connector's default API host follows the base URL when the connection points
 * elsewhere (sandbox, white-label), so a sandboxed run never refreshes against the real API.
 */
function followBaseUrl(connector: ConnectorDef, url: string, baseUrl: string): string {
  const resolved = new URL(url, baseUrl);
  const defaultOrigin = defaultApiOrigin(connector);
  const base = new URL(baseUrl);
  if (defaultOrigin !== undefined && resolved.origin === defaultOrigin && base.origin !== defaultOrigin) {
    return new URL(`${resolved.pathname}${resolved.search}`, base.origin).toString();
  }
  return resolved.toString();
}

/** Where code exchanges go for a connection: `config.tokenUrl` when set, else the connector's, following the base URL. */
export function resolveTokenUrl(connector: ConnectorDef, auth: OAuth2AuthKind, config: Readonly<Record<string, unknown>>, baseUrl: string): string {
  return setting(config, 'tokenUrl') ?? followBaseUrl(connector, auth.tokenUrl, baseUrl);
}

/**
 * Where refreshes go: `config.refreshUrl`, else a configured `tokenUrl` (a proxy takes both grants), else the
 * connector's `refreshUrl` when it has one, else its token URL — each following the base URL like resolveTokenUrl.
 */
export function resolveRefreshUrl(connector: ConnectorDef, auth: OAuth2AuthKind, config: Readonly<Record<string, unknown>>, baseUrl: string): string {
  return (
    setting(config, 'refreshUrl') ??
    setting(config, 'tokenUrl') ??
    (auth.refreshUrl === undefined ? resolveTokenUrl(connector, auth, config, baseUrl) : followBaseUrl(connector, auth.refreshUrl, baseUrl))
  );
}

/** 127.0.0.0/8, ::1 and localhost: addresses of this machine only. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The consent page a person opens for a connection: `config.authorizeUrl` when set; for a connection pointed at a
 * loopback sandbox, the same path on the sandbox (sandboxes serve the vendor's consent page there), so that a
 * sandboxed `ferry auth` never sends anyone to the vendor; else the connector's.
 */
export function resolveAuthorizeUrl(connector: ConnectorDef, auth: OAuth2AuthKind, config: Readonly<Record<string, unknown>>, baseUrl: string): string {
  const configured = setting(config, 'authorizeUrl');
  if (configured !== undefined) return configured;
  const base = new URL(baseUrl);
  const declared = new URL(auth.authorizeUrl, baseUrl);
  if (isLoopbackHost(base.hostname) && !isLoopbackHost(declared.hostname)) {
    return new URL(`${declared.pathname}${declared.search}`, base.origin).toString();
  }
  return declared.toString();
}
