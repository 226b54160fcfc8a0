import { http, HttpResponse, type RequestHandler } from 'msw';
import { socketFaultResponse } from '@ferry/core';
import { countRequest, countStatus, toResponse, versionOf } from '../endpoint.js';
import { errorReply, NOT_FOUND, ok, type Reply } from '../replies.js';
import type { SandboxWorld } from '../sandbox-world.js';

/** The token endpoints take a form or a JSON body (the vendor's example sends either). */
async function fieldsOf(request: Request): Promise<Record<string, string>> {
  const text = await request.text();
  if ((request.headers.get('content-type') ?? '').includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      return Object.fromEntries(Object.entries(parsed).flatMap(([k, v]) => (typeof v === 'string' || typeof v === 'number' ? [[k, String(v)]] : [])));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function oauthError(status: number, error: string, description: string): Reply {
  return errorReply(status, description, { error, error_description: description });
}

function splitScopes(raw: string | undefined): string[] {
  return (raw ?? '').split(/[\s,]+/).filter(Boolean);
}

/** authorization_code and refresh_token grants; a refresh spends the old refresh token (rotation). */
function grant(world: SandboxWorld, form: Record<string, string>, refreshRoute: boolean): Reply {
  const client = world.settings.oauthClients.find((c) => c.clientId === form['client_id']);
  if (client === undefined || client.clientSecret !== form['client_secret']) {
    world.tokens.grants.rejected += 1;
    return oauthError(401, 'invalid_client', 'Client authentication failed.');
  }
  const now = world.now();
  const grantType = form['grant_type'] ?? (refreshRoute ? 'refresh_token' : undefined);
  if (grantType === 'authorization_code' && !refreshRoute) {
    const code = world.tokens.redeemCode(form['code'] ?? '', client.clientId, form['redirect_uri']);
    if (typeof code === 'string') {
      world.tokens.grants.rejected += 1;
      return oauthError(400, 'invalid_grant', code);
    }
    world.tokens.grants.authorizationCode += 1;
    return ok(world.tokens.mint(code.scopes, client.clientId, now));
  }
  if (grantType === 'refresh_token') {
    const spent = world.tokens.spendRefresh(form['refresh_token'] ?? '', client.clientId);
    if (typeof spent === 'string') {
      world.tokens.grants.rejected += 1;
      return oauthError(400, 'invalid_grant', spent);
    }
    const asked = splitScopes(form['scope']);
    const scopes = asked.length === 0 ? spent.scopes : asked.filter((s) => spent.scopes.includes(s));
    world.tokens.grants.refreshToken += 1;
    return ok(world.tokens.mint(scopes, client.clientId, now));
  }
  world.tokens.grants.rejected += 1;
  return oauthError(400, 'unsupported_grant_type', `The grant type ${grantType ?? '(none)'} is not supported.`);
}

/**
 * `POST /pub/vX.Y/oauth/token` and `…/oauth/token/refresh`, and the consent page `GET /auth/oauth`, which the
 * sandbox answers at once with a redirect carrying a code (the scopes asked for are granted).
 */
export function oauthHandlers(world: SandboxWorld): RequestHandler[] {
  const { origin } = world.settings;
  const tokenRoute = (refreshRoute: boolean): RequestHandler =>
    http.post(`${origin}/pub/:apiVersion/oauth/${refreshRoute ? 'token/refresh' : 'token'}`, async ({ request, params }) => {
      const name = refreshRoute ? 'oauth.refresh' : 'oauth.token';
      countRequest(world, name);
      const fault = world.faults.draw();
      if (fault === 'timeout' || fault === 'reset') return socketFaultResponse(fault);
      let reply: Reply;
      if (versionOf(params['apiVersion']) === undefined) reply = NOT_FOUND;
      else if (fault === 'serverError') reply = errorReply(503, 'Service Unavailable');
      else reply = grant(world, await fieldsOf(request), refreshRoute);
      countStatus(world, reply.status);
      return toResponse(reply);
    });
  return [
    tokenRoute(false),
    tokenRoute(true),
    http.get(`${origin}/auth/oauth`, ({ request }) => {
      countRequest(world, 'oauth.authorize');
      const q = new URL(request.url).searchParams;
      const clientId = q.get('client_id') ?? '';
      const redirectUri = q.get('redirect_uri');
      if (q.get('response_type') !== 'code' || !world.settings.oauthClients.some((c) => c.clientId === clientId) || redirectUri === null || !URL.canParse(redirectUri)) {
        countStatus(world, 400);
        return toResponse(errorReply(400, 'response_type=code, the client_id of a known app and a redirect_uri are required.'));
      }
      const code = world.tokens.issueCode({ scopes: splitScopes(q.get('scope') ?? undefined), clientId, redirectUri });
      const target = new URL(redirectUri);
      target.searchParams.set('code', code);
      const state = q.get('state');
      if (state !== null) target.searchParams.set('state', state);
      countStatus(world, 302);
      return new HttpResponse(null, { status: 302, headers: { location: target.href } });
    }),
  ];
}
