import { HttpHandler, type RequestHandler } from 'msw';

/**
 * msw tries handlers one by one and, for each, parses the request's cookies and compiles the handler's path
 * into a regular expression before it can say "not mine"; with a sandbox's forty routes that is most of the
 * cost of a call. This index rules out, ahead of msw, the handlers that cannot match a request: another method,
 * another number of path segments, another literal segment. It only ever rules out; msw still decides among
 * the rest, in the handlers' order, so which handler answers is unchanged.
 */
export interface HandlerRoutes {
  /** The handlers that may match, in their original order. */
  candidates(method: string, pathname: string): RequestHandler[];
}

/** A plain path's segments: a literal (lower-cased) or null for a parameter; undefined when not plain. */
type Segments = readonly (string | null)[];

interface Route {
  readonly handler: RequestHandler;
  /** undefined: any method. */
  readonly method?: string | RegExp;
  /** undefined: any path (a wildcard, a RegExp, a predicate, or a handler that is not an HttpHandler). */
  readonly segments?: Segments;
}

/** Characters that make a segment more than a literal or a `:name` to path-to-regexp (or to URL encoding). */
const NOT_PLAIN = /[^A-Za-z0-9._~-]/;

function pathnameOf(path: string): string | undefined {
  if (path.startsWith('/')) return path;
  const absolute = /^https?:\/\/[^/]+(\/.*)?$/i.exec(path);
  return absolute === null ? undefined : (absolute[1] ?? '/');
}

/** Splits a path into segments, ignoring trailing slashes (path-to-regexp accepts one more or one less). */
function split(pathname: string): string[] {
  let end = pathname.length;
  while (end > 0 && pathname[end - 1] === '/') end -= 1;
  return pathname.slice(0, end).split('/');
}

function plainSegments(path: string): Segments | undefined {
  const pathname = pathnameOf(path);
  if (pathname === undefined) return undefined;
  const segments: (string | null)[] = [];
  for (const segment of split(pathname)) {
    if (segment.startsWith(':') && !NOT_PLAIN.test(segment.slice(1)) && segment.length > 1) segments.push(null);
    else if (!NOT_PLAIN.test(segment)) segments.push(segment.toLowerCase());
    else return undefined;
  }
  return segments;
}

function routeOf(handler: RequestHandler): Route {
  if (!(handler instanceof HttpHandler)) return { handler };
  const { method, path } = handler.info;
  const segments = typeof path === 'string' ? plainSegments(path) : undefined;
  return { handler, method, ...(segments === undefined ? {} : { segments }) };
}

function methodMatches(route: Route, method: string): boolean {
  if (route.method === undefined) return true;
  if (route.method instanceof RegExp) {
    route.method.lastIndex = 0;
    return route.method.test(method);
  }
  return route.method.toUpperCase() === method.toUpperCase();
}

function pathMatches(route: Route, requestSegments: readonly string[]): boolean {
  const segments = route.segments;
  if (segments === undefined) return true;
  if (segments.length !== requestSegments.length) return false;
  for (const [i, literal] of segments.entries()) {
    if (literal !== null && literal !== requestSegments[i]?.toLowerCase()) return false;
  }
  return true;
}

export function handlerRoutes(handlers: readonly RequestHandler[]): HandlerRoutes {
  const routes = handlers.map(routeOf);
  return {
    candidates(method, pathname) {
      const requestSegments = split(pathname);
      return routes.filter((route) => methodMatches(route, method) && pathMatches(route, requestSegments)).map((route) => route.handler);
    },
  };
}
