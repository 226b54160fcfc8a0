import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FerryError } from '../errors/ferry-error.js';

export interface LoopbackRedirectOptions {
  /** Loopback only: the code must not be reachable from the network. */
  readonly host?: string;
  /** 0 (default) picks a free port; a fixed one when the app registered an exact redirect URI. */
  readonly port?: number;
  readonly path?: string;
}

export interface LoopbackRedirect {
  /** The redirect URI to register with the app and pass to the authorize URL. */
  readonly redirectUri: string;
  /**
   * Resolves with the code of the first redirect that carries `state`; rejects on a redirect with another
   * state (possible forgery), an error from the provider, or after `timeoutMs`. Closes the server either way.
   */
  waitForCode(state: string, timeoutMs: number): Promise<string>;
  close(): Promise<void>;
}

/** Constant-time comparison that also hides the length: compare digests. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>ferry — ${escape(title)}</title></head>` +
      `<body style="font-family:system-ui;margin:3rem"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`,
  );
}

/** Receives the OAuth redirect on a loopback port, as `ferry auth` does for a person's browser. */
export async function startLoopbackRedirect(options: LoopbackRedirectOptions = {}): Promise<LoopbackRedirect> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/callback';
  type Outcome = { code: string } | { error: FerryError };
  /** Redirects not judged yet: one may arrive before waitForCode says which state to expect. */
  const pending: { params: URLSearchParams; res: ServerResponse }[] = [];
  let judge: ((params: URLSearchParams, res: ServerResponse) => void) | undefined;

  function verdict(params: URLSearchParams, res: ServerResponse, expectedState: string): Outcome {
    const providerError = params.get('error');
    const code = params.get('code');
    if (!sameSecret(params.get('state') ?? '', expectedState)) {
      page(res, 400, 'Authorization refused', 'This redirect does not belong to the running ferry auth. Nothing was stored.');
      return {
        error: new FerryError('AUTH_STATE_MISMATCH', 'the authorization redirect carried an unexpected state', {
          hint: 'start `ferry auth` again and finish it in the browser tab it opens; a redirect from anywhere else is refused',
        }),
      };
    }
    if (providerError !== null) {
      const description = params.get('error_description');
      page(res, 400, 'Authorization not granted', 'The provider did not grant access. You can close this tab.');
      return {
        error: new FerryError('AUTH_DENIED', `the provider refused the authorization: ${providerError}${description === null ? '' : ` (${description})`}`, {
          hint: "grant the requested access in the browser, or check the app's settings (redirect URI, scopes)",
        }),
      };
    }
    if (code === null || code === '') {
      page(res, 400, 'No authorization code', 'The redirect carried no code. You can close this tab.');
      return { error: new FerryError('AUTH_NO_CODE', 'the authorization redirect carried no code', { hint: 'start `ferry auth` again' }) };
    }
    page(res, 200, 'ferry is authorized', 'You can close this tab and return to the terminal.');
    return { code };
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback.invalid');
    if (req.method !== 'GET' || url.pathname !== path) {
      page(res, 404, 'Not found', 'This address only receives the authorization redirect.');
      return;
    }
    if (judge === undefined) pending.push({ params: url.searchParams, res });
    else judge(url.searchParams, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  // Answers already written finish first; a browser holding a socket open is cut after a short grace.
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1000).unref();
    });

  return {
    redirectUri,
    close,
    waitForCode(state, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          finish({
            error: new FerryError('AUTH_TIMEOUT', `no authorization redirect within ${Math.round(timeoutMs / 1000)} s`, {
              hint: 'open the printed URL in a browser on this machine and grant access, then try again',
            }),
          });
        }, timeoutMs);
        function finish(outcome: Outcome): void {
          clearTimeout(timer);
          judge = undefined;
          void close().then(() => ('code' in outcome ? resolve(outcome.code) : reject(outcome.error)));
        }
        judge = (params, res) => finish(verdict(params, res, state));
        const first = pending.shift();
        if (first !== undefined) judge(first.params, first.res);
      });
    },
  };
}
