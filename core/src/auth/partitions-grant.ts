import type { OAuth2AuthKind, OAuth2PartitionsGrant } from '../contract/connector.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import type { StoredToken } from './stored-token.js';

/**
 * The partitions grant a connection's token must come from: the connector's `forPartitions` when the connection
 * is an oauth2 one declared with `partitions: discover`, else none (the connector's usual grant).
 */
export function partitionsGrantOf(spec: ConnectionSpec, auth: OAuth2AuthKind | undefined): OAuth2PartitionsGrant | undefined {
  if (auth?.forPartitions === undefined || spec.partitions !== 'discover' || spec.auth.kind !== 'oauth2') return undefined;
  return auth.forPartitions;
}

/**
 * The auth kind as one grant posts it: with `forPartitions`, the token params and account reader the partitions
 * grant names replace the connector's (GHL `user_type: Company`, the companyId); without, the connector's own.
 */
export function authForGrant(auth: OAuth2AuthKind, forPartitions: boolean): OAuth2AuthKind {
  const grant = auth.forPartitions;
  if (!forPartitions || grant === undefined) return auth;
  return {
    ...auth,
    ...(grant.extraTokenParams === undefined ? {} : { extraTokenParams: grant.extraTokenParams }),
    ...(grant.accountFrom === undefined ? {} : { accountFrom: grant.accountFrom }),
  };
}

/** "an agency (Company) token", "a workspace token". */
function withArticle(label: string): string {
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

function described(token: StoredToken): string {
  return token.account === undefined ? 'for a single account' : `for account ${token.account}`;
}

/**
 * Why a stored token cannot serve its connection as declared, or undefined when it can: a `partitions: discover`
 * connection needs a token of the partitions grant that carries its scopes, and any other connection a token of
 * the usual grant. Systemic FerryErrors whose hint is to authorize the connection again.
 */
export function tokenGrantProblem(connection: string, token: StoredToken, auth: OAuth2AuthKind, expected: OAuth2PartitionsGrant | undefined): FerryError | undefined {
  const details = { systemic: true, connection };
  const again = `run \`ferry auth ${connection}\` again`;
  if (expected !== undefined && token.forPartitions !== true) {
    return new FerryError(
      'AUTH_PARTITIONS_GRANT',
      `connection '${connection}' discovers its partitions (\`partitions: discover\`) and needs ${withArticle(expected.label)}, but its stored token was granted ${described(token)}`,
      { hint: `${again}: for a \`partitions: discover\` connection it asks for ${withArticle(expected.label)} with ${expected.scopes.join(' ')}`, details },
    );
  }
  if (expected === undefined && token.forPartitions === true) {
    const label = auth.forPartitions?.label ?? 'token for partition discovery';
    return new FerryError(
      'AUTH_PARTITIONS_GRANT',
      `the stored token of connection '${connection}' is ${withArticle(label)}, granted while it declared \`partitions: discover\`; it does not act for one account`,
      { hint: `${again} for a token of its own account, or declare \`partitions: discover\` on '${connection}' in ferry.yaml`, details },
    );
  }
  // A grant that names no scopes granted what was asked; one that names them must name these.
  if (expected === undefined || token.scopes.length === 0) return undefined;
  const granted = new Set(token.scopes);
  const missing = expected.scopes.filter((scope) => !granted.has(scope));
  if (missing.length === 0) return undefined;
  return new FerryError(
    'AUTH_MISSING_SCOPE',
    `the ${expected.label} of connection '${connection}' lacks ${missing.join(' ')}, which discovering its partitions needs`,
    { hint: `${again} and grant ${missing.join(' ')} on the consent page (the app must offer them)`, details: { ...details, missing } },
  );
}
