import { randomUUID } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { socketFaultResponse } from '@ferry/core';
import { oauthOperations } from '../../spec/operations.js';
import { requestValidator, validationMessages } from '../../spec/validation.js';
import { API_VERSION, countRequest, countStatus, record } from '../endpoint.js';
import { errorReply, ok, SCOPE_MISSING, type Reply } from '../replies.js';
import type { SandboxWorld } from '../sandbox-world.js';
import { SANDBOX_APP_ID } from '../settings.js';

function formOf(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

function oauthError(status: number, error: string, description: string): Reply {
  const reply = errorReply(status, description);
  return { status, body: { ...reply.body, error, error_description: description } };
}

/** POST /oauth/token: authorization_code and refresh_token grants; refresh tokens rotate (the old one is spent). */
function tokenGrant(world: SandboxWorld, form: Record<string, string>): Reply {
  const validate = requestValidator('GetAccessCodebodyDto', 'oauth');
  if (!validate(form)) return errorReply(422, validationMessages(validate.errors));
  const client = world.settings.oauthClients.find((c) => c.clientId === form['client_id']);
  if (client === undefined || client.clientSecret !== form['client_secret']) {
    world.tokens.grants.rejected += 1;
    return oauthError(401, 'invalid_client', 'Invalid client credentials');
  }
  const now = world.now();
  if (form['grant_type'] === 'authorization_code') {
    const code = world.tokens.redeemCode(form['code'] ?? '', client.clientId, form['redirect_uri']);
    if (typeof code === 'string') {
      world.tokens.grants.rejected += 1;
      return oauthError(400, 'invalid_grant', code);
    }
    world.tokens.grants.authorizationCode += 1;
    const company = form['user_type'] === 'Company';
    return ok(
      world.tokens.mint({
        userType: company ? 'Company' : 'Location',
        locationId: company ? undefined : code.locationId,
        companyId: code.companyId,
        scopes: code.scopes,
        clientId: client.clientId,
        now,
        withRefresh: true,
        userId: world.firstUser(code.locationId),
      }),
    );
  }
  if (form['grant_type'] === 'refresh_token') {
    const spent = world.tokens.spendRefresh(form['refresh_token'] ?? '', client.clientId);
    if (typeof spent === 'string') {
      world.tokens.grants.rejected += 1;
      return oauthError(400, 'invalid_grant', spent);
    }
    world.tokens.grants.refreshToken += 1;
    return ok(
      world.tokens.mint({
        userType: spent.userType,
        locationId: spent.locationId,
        companyId: spent.companyId,
        scopes: spent.scopes,
        clientId: client.clientId,
        now,
        withRefresh: true,
        userId: world.firstUser(spent.locationId ?? ''),
      }),
    );
  }
  world.tokens.grants.rejected += 1;
  return oauthError(400, 'unsupported_grant_type', `grant_type ${form['grant_type'] ?? ''} is not supported by the sandbox`);
}

/** POST /oauth/locationToken: an agency token gets a token for one of its locations. */
function locationToken(world: SandboxWorld, request: Request, form: Record<string, string>): Reply {
  if (request.headers.get('version') !== API_VERSION) return errorReply(400, 'Version header was not found');
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const checked = world.tokens.check(bearer, world.now());
  if (!checked.ok) return errorReply(401, checked.message);
  if (checked.token.userType !== 'Company' || !checked.token.scopes.has('oauth.write')) return errorReply(401, SCOPE_MISSING);
  const validate = requestValidator('GetLocationAccessCodeBodyDto', 'oauth');
  if (!validate(form)) return errorReply(422, validationMessages(validate.errors));
  const location = world.locations.get(form['locationId'] ?? '');
  if (location === undefined || location.companyId !== form['companyId'] || checked.token.companyId !== form['companyId']) {
    return errorReply(400, 'Location not found for this company');
  }
  if (world.settings.uninstalledLocations.includes(location.id)) return errorReply(400, 'The app is not installed in this location');
  world.tokens.grants.locationToken += 1;
  const minted = world.tokens.mint({
    userType: 'Location',
    locationId: location.id,
    companyId: location.companyId,
    // A location token acts for the location: the agency-only scopes stay with the agency token.
    scopes: [...checked.token.scopes].filter((scope) => !scope.startsWith('oauth.')),
    clientId: undefined,
    now: world.now(),
    withRefresh: false,
    userId: world.firstUser(location.id),
  });
  return ok(minted);
}

const INSTALLED_LOCATIONS = 'get-installed-location';

/** The query of GET /oauth/installedLocations checked against the spec's parameters: 422 messages, or none. */
function queryProblems(query: URLSearchParams): string[] {
  const op = oauthOperations().find((candidate) => candidate.operationId === INSTALLED_LOCATIONS);
  const problems: string[] = [];
  for (const parameter of op?.parameters ?? []) {
    if (parameter.in !== 'query') continue;
    const value = query.get(parameter.name);
    if (value === null || value === '') {
      if (parameter.required) problems.push(`${parameter.name} should not be empty`);
      continue;
    }
    if (parameter.schema['type'] === 'boolean' && value !== 'true' && value !== 'false') problems.push(`${parameter.name} must be a boolean value`);
  }
  for (const name of ['skip', 'limit']) {
    const value = query.get(name);
    if (value !== null && !/^\d+$/.test(value)) problems.push(`${name} must be a number string`);
  }
  return problems;
}

/**
 * GET /oauth/installedLocations: the agency's locations and whether the sandbox's app is installed in each,
 * filtered by `isInstalled`, `locationId` and `query` (the name), paged with `skip` and `limit`.
 */
function installedLocations(world: SandboxWorld, request: Request): Reply {
  if (request.headers.get('version') !== API_VERSION) return errorReply(400, 'Version header was not found');
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const checked = world.tokens.check(bearer, world.now());
  if (!checked.ok) return errorReply(401, checked.message);
  if (checked.token.userType !== 'Company' || !checked.token.scopes.has('oauth.readonly')) return errorReply(401, SCOPE_MISSING);
  const query = new URL(request.url).searchParams;
  const problems = queryProblems(query);
  if (problems.length > 0) return errorReply(422, problems);
  if (query.get('companyId') !== checked.token.companyId) return errorReply(400, 'Company not found for this token');
  if (query.get('appId') !== SANDBOX_APP_ID) return errorReply(400, 'App not found for this company');
  const installed = query.get('isInstalled');
  const wantedId = query.get('locationId');
  const name = query.get('query')?.toLowerCase();
  const matching = [...world.locations.values()].filter((location) => {
    const isInstalled = !world.settings.uninstalledLocations.includes(location.id);
    if (installed !== null && String(isInstalled) !== installed) return false;
    if (wantedId !== null && wantedId !== '' && location.id !== wantedId) return false;
    if (name !== undefined && name !== '' && !location.name.toLowerCase().includes(name)) return false;
    return location.companyId === checked.token.companyId;
  });
  const skip = Number(query.get('skip') ?? '0');
  const limit = Number(query.get('limit') ?? '20');
  const locations = matching.slice(skip, skip + limit).map((location) => {
    const isInstalled = !world.settings.uninstalledLocations.includes(location.id);
    return {
      _id: location.id,
      name: location.name,
      address: `${world.settings.locations.indexOf(location.id) + 1} Sandbox Street, Austin, TX 78701, USA`,
      isInstalled,
      ...(isInstalled ? { installedAt: new Date(0).toISOString() } : {}),
    };
  });
  return ok({ locations, count: matching.length, installToFutureLocations: false });
}

function respond(world: SandboxWorld, operationId: string, request: Request, form: Record<string, string> | undefined, reply: Reply): Response {
  countStatus(world, reply.status);
  record(world, {
    operationId,
    method: request.method,
    path: new URL(request.url).pathname,
    query: Object.fromEntries(new URL(request.url).searchParams),
    version: request.headers.get('version') ?? undefined,
    authorized: request.headers.has('authorization'),
    contentType: request.headers.get('content-type') ?? undefined,
    body: form,
    status: reply.status,
  });
  return HttpResponse.json({ ...reply.body, traceId: randomUUID() }, { status: reply.status });
}

/**
 * The OAuth endpoints of oauth.json, plus the marketplace's authorize page (`/oauth/chooselocation`), which the
 * sandbox answers at once with a redirect carrying a code for `locationId` (default: its first location).
 */
export function oauthHandlers(world: SandboxWorld): RequestHandler[] {
  const base = world.settings.baseUrl;
  const authorize = ({ request }: { request: Request }): Response => {
    countRequest(world, 'oauth-authorize');
    const q = new URL(request.url).searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri');
    if (!world.settings.oauthClients.some((c) => c.clientId === clientId) || redirectUri === null) {
      return respond(world, 'oauth-authorize', request, undefined, errorReply(400, 'client_id and redirect_uri of a known app are required'));
    }
    const locationId = q.get('locationId') ?? world.settings.locations[0] ?? '';
    const location = world.locations.get(locationId);
    if (location === undefined) return respond(world, 'oauth-authorize', request, undefined, errorReply(400, `unknown location ${locationId}`));
    const scopes = (q.get('scope') ?? '').split(/[\s,]+/).filter(Boolean);
    const code = world.tokens.issueCode({ locationId, companyId: location.companyId, scopes, clientId, redirectUri });
    const target = new URL(redirectUri);
    target.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) target.searchParams.set('state', state);
    countStatus(world, 302);
    return new HttpResponse(null, { status: 302, headers: { location: target.href } });
  };
  return [
    http.post(`${base}/oauth/token`, async ({ request }) => {
      countRequest(world, 'get-access-token');
      const fault = world.faults.draw();
      if (fault === 'serverError') return respond(world, 'get-access-token', request, undefined, errorReply(503, 'Service unavailable'));
      if (fault === 'timeout' || fault === 'reset') return socketFaultResponse(fault);
      const form = formOf(await request.text());
      return respond(world, 'get-access-token', request, form, tokenGrant(world, form));
    }),
    http.post(`${base}/oauth/locationToken`, async ({ request }) => {
      countRequest(world, 'get-location-access-token');
      const form = formOf(await request.text());
      return respond(world, 'get-location-access-token', request, form, locationToken(world, request, form));
    }),
    http.get(`${base}/oauth/installedLocations`, ({ request }) => {
      countRequest(world, INSTALLED_LOCATIONS);
      return respond(world, INSTALLED_LOCATIONS, request, undefined, installedLocations(world, request));
    }),
    http.get(`${base}/oauth/chooselocation`, authorize),
    http.get(`${base}/v2/oauth/chooselocation`, authorize),
  ];
}
