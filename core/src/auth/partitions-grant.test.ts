import { describe, expect, it } from 'vitest';
import type { OAuth2AuthKind } from '../contract/connector.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { authForGrant, partitionsGrantOf, tokenGrantProblem } from './partitions-grant.js';
import type { StoredToken } from './stored-token.js';

const auth: OAuth2AuthKind = {
  kind: 'oauth2',
  authorizeUrl: 'https://marketplace.example.test/oauth/chooselocation',
  tokenUrl: 'https://api.example.test/oauth/token',
  scopeSeparator: ' ',
  extraTokenParams: { user_type: 'Location' },
  accountFrom: (body) => (typeof body['locationId'] === 'string' ? body['locationId'] : undefined),
  refreshSkewMs: 1000,
  forPartitions: {
    label: 'agency (Company) token',
    scopes: ['oauth.readonly', 'oauth.write'],
    extraTokenParams: { user_type: 'Company' },
    accountFrom: (body) => (typeof body['companyId'] === 'string' ? body['companyId'] : undefined),
  },
};
const { forPartitions: _grant, ...withoutGrant } = auth;
const plain: OAuth2AuthKind = withoutGrant;

function spec(partitions: ConnectionSpec['partitions'], kind: ConnectionSpec['auth']['kind'] = 'oauth2'): ConnectionSpec {
  return { name: 'agency', connector: 'crm', config: {}, auth: { kind }, ...(partitions === undefined ? {} : { partitions }) };
}

function token(extra: Partial<StoredToken> = {}): StoredToken {
  return { kind: 'oauth2', accessToken: 'at', scopes: ['contacts.readonly'], tokenType: 'Bearer', obtainedAt: '2026-01-01T00:00:00.000Z', ...extra };
}

describe('partitionsGrantOf', () => {
  it('is the connector\'s partitions grant only for an oauth2 connection declared with partitions: discover', () => {
    expect(partitionsGrantOf(spec('discover'), auth)).toBe(auth.forPartitions);
    expect(partitionsGrantOf(spec(undefined), auth)).toBeUndefined();
    expect(partitionsGrantOf(spec([{ id: 'a', config: {} }]), auth)).toBeUndefined();
    // A static agency token is the person's to create: ferry asks for nothing.
    expect(partitionsGrantOf(spec('discover', 'bearer'), auth)).toBeUndefined();
    expect(partitionsGrantOf(spec('discover'), plain)).toBeUndefined();
    expect(partitionsGrantOf(spec('discover'), undefined)).toBeUndefined();
  });
});

describe('authForGrant', () => {
  it('puts the partitions grant\'s token params and account reader in place of the connector\'s', () => {
    const agency = authForGrant(auth, true);
    expect(agency.extraTokenParams).toEqual({ user_type: 'Company' });
    expect(agency.accountFrom?.({ companyId: 'co-1', locationId: 'loc-1' })).toBe('co-1');
    expect(agency).toMatchObject({ tokenUrl: auth.tokenUrl, scopeSeparator: ' ', refreshSkewMs: 1000 });
    expect(authForGrant(auth, false)).toBe(auth);
    expect(authForGrant(plain, true)).toBe(plain);
  });

  it('keeps the connector\'s fields the partitions grant does not name', () => {
    const labelled: OAuth2AuthKind = { ...auth, forPartitions: { label: 'workspace token', scopes: ['admin'] } };
    const granted = authForGrant(labelled, true);
    expect(granted.extraTokenParams).toEqual({ user_type: 'Location' });
    expect(granted.accountFrom?.({ locationId: 'loc-1' })).toBe('loc-1');
  });
});

describe('tokenGrantProblem', () => {
  const grant = auth.forPartitions;

  it('accepts a token of the grant the connection needs', () => {
    expect(tokenGrantProblem('agency', token({ forPartitions: true, scopes: ['contacts.readonly', 'oauth.readonly', 'oauth.write'] }), auth, grant)).toBeUndefined();
    expect(tokenGrantProblem('crm', token(), auth, undefined)).toBeUndefined();
    // A grant that named no scopes granted what was asked.
    expect(tokenGrantProblem('agency', token({ forPartitions: true, scopes: [] }), auth, grant)).toBeUndefined();
  });

  it('refuses a location token on a partitions: discover connection, saying to authorize it again', () => {
    const problem = tokenGrantProblem('agency', token({ account: 'loc-1' }), auth, grant);
    expect(problem).toMatchObject({ code: 'AUTH_PARTITIONS_GRANT', details: { systemic: true, connection: 'agency' } });
    expect(problem?.message).toBe(
      "connection 'agency' discovers its partitions (`partitions: discover`) and needs an agency (Company) token, but its stored token was granted for account loc-1",
    );
    expect(problem?.hint).toBe('run `ferry auth agency` again: for a `partitions: discover` connection it asks for an agency (Company) token with oauth.readonly oauth.write');
  });

  it('refuses an agency token on a connection that no longer discovers its partitions', () => {
    const problem = tokenGrantProblem('crm', token({ forPartitions: true, account: 'co-1' }), auth, undefined);
    expect(problem?.code).toBe('AUTH_PARTITIONS_GRANT');
    expect(problem?.message).toMatch(/is an agency \(Company\) token, granted while it declared `partitions: discover`/);
    expect(problem?.hint).toMatch(/^run `ferry auth crm` again for a token of its own account, or declare `partitions: discover`/);
  });

  it('names the partitions scopes an agency token was not granted', () => {
    const problem = tokenGrantProblem('agency', token({ forPartitions: true, scopes: ['contacts.readonly', 'oauth.readonly'] }), auth, grant);
    expect(problem).toMatchObject({ code: 'AUTH_MISSING_SCOPE', details: { systemic: true, missing: ['oauth.write'] } });
    expect(problem?.message).toBe("the agency (Company) token of connection 'agency' lacks oauth.write, which discovering its partitions needs");
    expect(problem?.hint).toMatch(/^run `ferry auth agency` again and grant oauth.write/);
  });
});
