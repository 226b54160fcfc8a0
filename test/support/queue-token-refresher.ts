import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
// Direct imports, not the @ferry/core barrel: this process starts twice per test and needs only these parts.
import { createOAuthTokenProvider, setTokenRefreshLock } from '../../core/src/auth/oauth-token-provider.js';
import { tokenEndpoint } from '../../core/src/auth/token-endpoint.js';
import { openTokenVault } from '../../core/src/auth/token-vault.js';
import type { OAuth2AuthKind } from '../../core/src/contract/connector.js';
import { DistributedLock } from '../../core/src/coordination/distributed-lock.js';
import { connectRedis } from '../../core/src/coordination/redis-connection.js';
import { isFerryError } from '../../core/src/errors/ferry-error.js';
import { openSqliteStore } from '../../core/src/store/sqlite-store.js';
import type { Logger } from '../../core/src/contract/logger.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const quietLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quietLog };

/**
 * One process of the distributed refresh test: opens the shared store's vault, takes the token refresh lock
 * under `prefix` (none when it is '-'), prints `ready`, waits for `goFile`, asks for the access token of `crm`
 * (expired: a refresh is due) and prints `{"token"}` or `{"error"}`.
 */
const [storeFile = '', tokenUrl = '', prefix = '-', goFile = ''] = process.argv.slice(2);

const auth: OAuth2AuthKind = { kind: 'oauth2', authorizeUrl: 'https://auth.example.test/authorize', tokenUrl: '/oauth/token', scopeSeparator: ' ' };
const store = openSqliteStore(storeFile);
const redis = prefix === '-' ? undefined : await connectRedis(REDIS_URL, { purpose: 'the refresh lock' });
if (redis !== undefined) setTokenRefreshLock(store, new DistributedLock({ redis, prefix }));
const vault = openTokenVault({ store, projectDir: dirname(storeFile) });
const tokens = createOAuthTokenProvider({
  vault,
  connection: 'crm',
  auth,
  clientId: 'client-1',
  clientSecret: 'secret-1',
  endpoint: tokenEndpoint(tokenUrl, quietLog),
  log: quietLog,
});

process.stdout.write('ready\n');
while (!existsSync(goFile)) await new Promise((resolve) => setTimeout(resolve, 2));
try {
  process.stdout.write(`${JSON.stringify({ token: await tokens.getToken() })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: isFerryError(error) ? error.code : String(error) })}\n`);
}
redis?.disconnect();
store.close();
process.exit(0);
