import type { QueryValue } from '../contract/http.js';
import { FerryError } from '../errors/ferry-error.js';

/**
 * The absolute URL of a call: the base URL (which may carry a path prefix such as `/pub/v2.3`), the path, then
 * the query with arrays as repeated keys (`tag=a&tag=b`) and undefined values left out. An absolute URL is
 * accepted only on the base URL's origin, so a bearer token never travels to another host.
 */
export function buildRequestUrl(baseUrl: string, path: string, query?: Readonly<Record<string, QueryValue>>): URL {
  const base = new URL(baseUrl);
  let url: URL;
  if (/^https?:\/\//i.test(path)) {
    url = new URL(path);
    if (url.origin !== base.origin) {
      throw new FerryError('HTTP_FOREIGN_URL', `refusing to call ${url.origin}: it is not the connection's API origin ${base.origin}`, {
        hint: 'pass a path relative to the base URL; a connector must not send its token to another host',
      });
    }
  } else {
    const prefix = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
    url = new URL(`${prefix}${path.startsWith('/') ? path : `/${path}`}`, base.origin);
  }
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) url.searchParams.append(key, String(item));
    } else {
      url.searchParams.append(key, String(value));
    }
  }
  return url;
}
