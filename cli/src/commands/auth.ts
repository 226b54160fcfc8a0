import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { InvalidArgumentError, type Command } from 'commander';
import {
  FerryError,
  SECRET_KEY_ENV,
  authorizeConnection,
  connectionScopes,
  connectionUse,
  defaultKeyFile,
  didYouMeanSuffix,
  grantedScopes,
  lookUpConnection,
  missingScopes,
  openTokenVault,
  partitionsGrantOf,
  rotateConnectionToken,
  scopesFor,
  tokenEnvName,
  tokenGrantProblem,
  tokenSource,
  type BearerAuthKind,
  type ConnectionSpec,
  type ConnectorDef,
  type OAuth2AuthKind,
  type PipelineSpec,
  type StoredToken,
  type TokenStatus,
  type TokenVault,
} from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatDuration } from '../format.js';
import { parsePort, parsePositiveInteger } from '../option-parsers.js';

/**
 * `ferry auth`: connects a connection (the OAuth 2.0 code flow through a loopback redirect, or a static bearer
 * token read from stdin), shows what the stored tokens grant against what the pipelines need, rotates and forgets
 * them. Tokens are stored encrypted in the project's store; no token is ever printed or logged.
 */

interface ConnectOptions {
  /** Undefined: every pipeline of the project. */
  readonly pipelines?: readonly string[] | undefined;
  readonly write?: boolean;
  readonly browser: boolean;
  readonly port?: number;
  readonly timeout: number;
  readonly tokenStdin?: boolean;
  readonly scopes?: readonly string[];
}

/** `a,b` → [a, b]; `all` → undefined (every pipeline). */
function parsePipelineList(value: string): readonly string[] | undefined {
  const names = parseList(value);
  return names.length === 1 && names[0] === 'all' ? undefined : names;
}

function parseList(value: string): string[] {
  const items = value
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list.');
  return [...new Set(items)];
}

export function registerAuthCommand(program: Command, invocation: Invocation): void {
  const auth = program
    .command('auth')
    .description('connect a connection (OAuth 2.0 in the browser, or a token on stdin); status, rotate, revoke')
    .argument('[connection]', 'connection name from ferry.yaml')
    .option('--pipelines <names>', "ask for the scopes of these pipelines (a,b) or of all (default: every pipeline that uses the connection)", parsePipelineList)
    .option('--write', 'also ask for the write scopes, for pipelines that will write later')
    .option('--no-browser', 'only print the authorize URL; do not try to open a browser')
    .option('--port <port>', 'port of the loopback redirect listener (default: the port of auth.redirectUri, else a free one)', parsePort)
    .option('--timeout <seconds>', 'how long to wait for the browser to come back', parsePositiveInteger, 300)
    .option('--token-stdin', 'bearer connections: store the token read from standard input (never from the command line)')
    .option('--scopes <list>', 'with --token-stdin: the scopes the token was created with, checked before each run', parseList)
    .addHelpText(
      'after',
      `
Examples:
  ferry auth ghl                          OAuth: open the consent page, store the tokens encrypted
  ferry auth ghl --pipelines ghl-to-sheet only the scopes that pipeline needs
  ferry auth ghl --token-stdin --scopes contacts.readonly < pit.txt
  ferry auth status                       what each token grants, and what the pipelines need
  ferry auth rotate ghl                   refresh now (the refresh token is replaced)
  ferry auth revoke ghl                   forget the stored tokens`,
    )
    .action(async (connection: string | undefined, options: ConnectOptions, command: Command) =>
      invocation.run(command, (ws) => connectCommand(ws, connection, options)),
    );

  auth
    .command('status')
    .description("the stored tokens: account, kind, scopes, expiry, rotation; and the scopes the project's pipelines need")
    .argument('[connection]', 'connection name (default: every connection that takes credentials)')
    .action(async (connection: string | undefined, _options: unknown, command: Command) =>
      invocation.run(command, (ws) => statusCommand(ws, connection)),
    );

  auth
    .command('rotate')
    .description('refresh an oauth2 token now: the provider replaces the refresh token, and the new pair is stored')
    .argument('<connection>', 'connection name')
    .action(async (connection: string, _options: unknown, command: Command) => invocation.run(command, (ws) => rotateCommand(ws, connection)));

  auth
    .command('revoke')
    .description("forget a connection's stored tokens")
    .argument('<connection>', 'connection name')
    .action(async (connection: string, _options: unknown, command: Command) => invocation.run(command, (ws) => revokeCommand(ws, connection)));
}

function usage(message: string, hint: string): FerryError {
  return new FerryError('USAGE_INVALID', message, { hint });
}

function openVault(ws: Workspace): TokenVault {
  const project = ws.project();
  return openTokenVault({ store: ws.store(), projectDir: project.baseDir, env: ws.env() });
}

/** Where the tokens are and what encrypts them, for people (never the key itself). */
function storageNote(ws: Workspace): string {
  const project = ws.project();
  const key = (ws.env()[SECRET_KEY_ENV] ?? '') === '' ? defaultKeyFile(project.baseDir) : SECRET_KEY_ENV;
  return `encrypted in ${project.store} (key: ${key})`;
}

/** "2026-03-02 12:00:00 UTC (in 23 h 59 min)". */
function when(iso: string | undefined, now = Date.now()): string {
  if (iso === undefined) return '—';
  const at = Date.parse(iso);
  const text = `${iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '')} UTC`;
  if (Number.isNaN(at)) return iso;
  return at >= now ? `${text} (in ${formatDuration(at - now)})` : `${text} (${formatDuration(now - at)} ago)`;
}

function oauth2Kind(connector: ConnectorDef): OAuth2AuthKind | undefined {
  return connector.auth.find((kind): kind is OAuth2AuthKind => kind.kind === 'oauth2');
}

function bearerLabel(connector: ConnectorDef): string {
  return connector.auth.find((kind): kind is BearerAuthKind => kind.kind === 'bearer')?.label ?? 'token';
}

// ---------------------------------------------------------------------------------------------------------------
// ferry auth <connection>

async function connectCommand(ws: Workspace, connection: string | undefined, options: ConnectOptions): Promise<ExitCodeValue> {
  const project = ws.project();
  if (connection === undefined) {
    const names = Object.values(project.connections)
      .filter((spec) => spec.auth.kind !== 'none')
      .map((spec) => spec.name);
    throw usage('name the connection to connect', names.length === 0 ? 'no connection of ferry.yaml takes credentials' : `ferry auth <connection>, one of: ${names.join(', ')}`);
  }
  const { spec, connector } = lookUpConnection(project, ws.registry, connection);
  if (spec.auth.kind === 'none') throw usage(`connection '${connection}' takes no credentials`, `connector '${connector.name}' needs none: nothing to do`);
  if (options.tokenStdin === true) return storeBearerToken(ws, spec, connector, options);
  if (options.scopes !== undefined) throw usage('--scopes goes with --token-stdin', 'an OAuth grant says itself which scopes it carries; leave --scopes out');
  if (spec.auth.kind === 'bearer') {
    throw usage(`connection '${connection}' uses a static ${bearerLabel(connector)}, which has no browser flow`, `pipe it in: \`ferry auth ${connection} --token-stdin < token.txt\` (or give the connection auth.kind: oauth2 with clientId and clientSecret)`);
  }
  return authorizeCommand(ws, spec, connector, options);
}

/**
 * The scopes to ask for: what the selected pipelines need on this connection (reads; writes only when one writes),
 * and for a `partitions: discover` connection what discovering its partitions needs.
 */
function requestedScopes(ws: Workspace, spec: ConnectionSpec, connector: ConnectorDef, options: ConnectOptions): { scopes: string[]; why: string } {
  const selected: PipelineSpec[] = options.pipelines === undefined ? ws.pipelines() : options.pipelines.map((name) => ws.pipeline(name));
  const use = connectionUse(selected, spec.name);
  for (const pipeline of selected) {
    if (!use.readBy.includes(pipeline.name) && !use.writtenBy.includes(pipeline.name) && options.pipelines !== undefined) {
      ws.note(`note: pipeline '${pipeline.name}' does not use connection '${spec.name}'`);
    }
  }
  const writes = use.writes || options.write === true;
  const scopes = connectionScopes(connector, spec, { reads: true, writes });
  const parts: string[] = [];
  if (use.readBy.length > 0) parts.push(`read by ${use.readBy.join(', ')}`);
  if (use.writtenBy.length > 0) parts.push(`written by ${use.writtenBy.join(', ')}`);
  if (options.write === true && !use.writes) parts.push('--write');
  const forPartitions = partitionsGrantOf(spec, oauth2Kind(connector));
  const why = parts.length === 0 ? 'no pipeline uses it yet: read access only (add --write for write access)' : parts.join('; ');
  return { scopes, why: forPartitions === undefined ? why : `${why}; partitions: discover, as ${forPartitions.label}` };
}

async function authorizeCommand(ws: Workspace, spec: ConnectionSpec, connector: ConnectorDef, options: ConnectOptions): Promise<ExitCodeValue> {
  const { scopes, why } = requestedScopes(ws, spec, connector, options);
  const vault = openVault(ws);
  ws.note(`asking '${spec.name}' for: ${scopes.length === 0 ? '(no scopes)' : scopes.join(' ')}  (${why})`);
  const browser = options.browser && canOpenBrowser(ws);
  const { token, notGranted, forPartitions } = await authorizeConnection({
    project: ws.project(),
    registry: ws.registry,
    connection: spec.name,
    scopes,
    vault,
    log: ws.logger().logger,
    timeoutMs: options.timeout * 1000,
    ...(options.port === undefined ? {} : { port: options.port }),
    onAuthorizeUrl(url, redirectUri) {
      ws.note(`${browser ? 'opening' : 'open'} this URL in a browser on this machine to grant access:`);
      ws.note(`  ${url}`);
      ws.note(`waiting for the redirect to ${redirectUri} (up to ${formatDuration(options.timeout * 1000)}; Ctrl-C cancels)`);
      if (browser) openBrowser(url);
    },
  });
  if (notGranted.length > 0) {
    ws.note(`warning: the provider did not grant ${notGranted.join(' ')}; pipelines that need it will refuse to start`);
  }
  // An agency token acts for the agency, never for the one location a discovering connection may name.
  const configured = forPartitions === undefined ? accountSetting(spec) : undefined;
  if (configured !== undefined && token.account !== undefined && token.account !== configured) {
    ws.note(`warning: the token acts for account ${token.account}, but connection '${spec.name}' is configured for ${configured}: pick that one on the consent page, or correct ferry.yaml`);
  }
  if (ws.options.json) {
    ws.emitJson({
      connection: spec.name,
      kind: token.kind,
      forPartitions: forPartitions !== undefined,
      account: token.account ?? null,
      scopes: token.scopes,
      expiresAt: token.expiresAt ?? null,
      obtainedAt: token.obtainedAt,
      notGranted,
    });
  } else {
    const grant = forPartitions === undefined ? [] : [`  grant      ${forPartitions.label}, to discover the partitions`];
    ws.print([`connected ${spec.name} (oauth2)`, ...grant, ...tokenLines(token), `  stored     ${storageNote(ws)}`]);
  }
  return ExitCode.ok;
}

function accountSetting(spec: ConnectionSpec): string | undefined {
  for (const key of ['locationId', 'accountId']) {
    const value = spec.config[key];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function tokenLines(token: StoredToken): string[] {
  return [
    `  account    ${token.account ?? '—'}`,
    `  scopes     ${token.scopes.length === 0 ? '(none recorded)' : token.scopes.join(' ')}`,
    `  expires    ${token.expiresAt === undefined ? 'never' : when(token.expiresAt)}`,
  ];
}

/** A browser can be opened for a person at a terminal on a machine with a display. */
function canOpenBrowser(ws: Workspace): boolean {
  const env = ws.env();
  if (ws.io.stderr.isTTY !== true || (env['CI'] ?? '') !== '') return false;
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return (env['DISPLAY'] ?? '') !== '' || (env['WAYLAND_DISPLAY'] ?? '') !== '';
}

/** Best effort, without a shell: the URL is printed anyway. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine: the person opens the printed URL.
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ferry auth <connection> --token-stdin

/** Longest token accepted: anything longer is not a token but a file piped in by mistake. */
const MAX_TOKEN_LENGTH = 8192;

/** Reads the token: the whole of a pipe or file, or a line typed at the terminal without echo. */
async function readToken(ws: Workspace, prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
    ws.io.stderr.write(prompt);
    const terminal = createInterface({ input: stdin, output: silent, terminal: true });
    try {
      return (await terminal.question('')).trim();
    } finally {
      terminal.close();
      ws.io.stderr.write('\n');
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_TOKEN_LENGTH * 2) break;
    chunks.push(buffer);
  }
  const lines = Buffer.concat(chunks)
    .toString('utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length > 1) throw usage('standard input holds more than one line', 'pipe in the token alone, e.g. `ferry auth <connection> --token-stdin < token.txt`');
  return lines[0] ?? '';
}

async function storeBearerToken(ws: Workspace, spec: ConnectionSpec, connector: ConnectorDef, options: ConnectOptions): Promise<ExitCodeValue> {
  const label = bearerLabel(connector);
  if (spec.auth.kind !== 'bearer') {
    throw usage(`connection '${spec.name}' uses ${spec.auth.kind} auth, not a static token`, `run \`ferry auth ${spec.name}\` without --token-stdin for the browser flow`);
  }
  const token = await readToken(ws, `paste the ${label} of '${spec.name}' and press Enter (input hidden): `);
  if (token === '') throw usage('no token on standard input', `pipe the ${label} in: \`ferry auth ${spec.name} --token-stdin < token.txt\``);
  if (token.length > MAX_TOKEN_LENGTH || /\s/.test(token)) {
    throw usage(`standard input does not hold a ${label}`, 'pipe in the token alone, without spaces or other text');
  }
  const known = [...(connector.scopes?.read ?? []), ...(connector.scopes?.write ?? []), ...(connector.scopes?.grantsAll ?? [])];
  for (const scope of options.scopes ?? []) {
    if (known.length > 0 && !known.includes(scope)) ws.note(`note: '${scope}' is not a scope connector '${connector.name}' knows${didYouMeanSuffix(scope, known)}`);
  }
  const vault = openVault(ws);
  const stored: StoredToken = {
    kind: 'bearer',
    accessToken: token,
    scopes: options.scopes ?? [],
    tokenType: 'Bearer',
    obtainedAt: new Date().toISOString(),
  };
  vault.put(spec.name, stored);
  const shadowedBy = spec.auth.token !== undefined ? 'auth.token in ferry.yaml' : (ws.env()[tokenEnvName(spec.name)] ?? '') !== '' ? tokenEnvName(spec.name) : undefined;
  if (shadowedBy !== undefined) ws.note(`warning: runs use ${shadowedBy} before the stored token; remove it to use this one`);
  if (ws.options.json) {
    ws.emitJson({ connection: spec.name, kind: 'bearer', scopes: stored.scopes, obtainedAt: stored.obtainedAt });
  } else {
    ws.print([
      `stored the ${label} of ${spec.name}`,
      `  scopes     ${stored.scopes.length === 0 ? `not recorded (runs skip the scope check; add --scopes ${scopesFor(connector, { reads: true, writes: true }).join(',')} as the token has them)` : stored.scopes.join(' ')}`,
      `  stored     ${storageNote(ws)}`,
    ]);
  }
  return ExitCode.ok;
}

// ---------------------------------------------------------------------------------------------------------------
// ferry auth status

interface ConnectionAuthReport {
  readonly connection: string;
  readonly connector: string;
  readonly kind: 'oauth2' | 'bearer';
  /** Where runs take the token from. */
  readonly tokenFrom: 'config' | 'env' | 'vault' | 'none';
  readonly status: Omit<TokenStatus, 'connection' | 'kind' | 'scopes'> | undefined;
  /** What the token grants; undefined when nobody can tell. */
  readonly scopes: readonly string[] | undefined;
  readonly needed: readonly string[];
  /** Needed scopes the token lacks; undefined when its scopes are unknown. */
  readonly missing: readonly string[] | undefined;
  readonly readBy: readonly string[];
  readonly writtenBy: readonly string[];
  /** Why the stored token could not be read (wrong key, altered data). */
  readonly problem?: { readonly message: string; readonly hint: string | undefined };
  /** Why runs refuse the stored token although it reads (a location token on a `partitions: discover` connection). */
  readonly refused?: { readonly message: string; readonly hint: string | undefined };
}

/** A stored oauth2 token of the other grant than the connection needs (agency vs. one account). */
function grantRefusal(spec: ConnectionSpec, connector: ConnectorDef, token: StoredToken | undefined): ConnectionAuthReport['refused'] {
  const auth = oauth2Kind(connector);
  if (token === undefined || token.kind !== 'oauth2' || auth === undefined) return undefined;
  const problem = tokenGrantProblem(spec.name, token, auth, partitionsGrantOf(spec, auth));
  // Missing scopes already show as such.
  return problem === undefined || problem.code === 'AUTH_MISSING_SCOPE' ? undefined : { message: problem.message, hint: problem.hint };
}

function reportOf(ws: Workspace, spec: ConnectionSpec, connector: ConnectorDef, vault: () => TokenVault): ConnectionAuthReport {
  try {
    return readReport(ws, spec, connector, vault);
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    const use = connectionUse(ws.pipelines(), spec.name);
    return {
      connection: spec.name,
      connector: connector.name,
      kind: spec.auth.kind === 'oauth2' ? 'oauth2' : 'bearer',
      tokenFrom: 'vault',
      status: undefined,
      scopes: undefined,
      needed: use.reads || use.writes ? connectionScopes(connector, spec, use) : [],
      missing: undefined,
      readBy: use.readBy,
      writtenBy: use.writtenBy,
      problem: { message: error.message, hint: error.hint },
    };
  }
}

function readReport(ws: Workspace, spec: ConnectionSpec, connector: ConnectorDef, vault: () => TokenVault): ConnectionAuthReport {
  const kind = spec.auth.kind === 'oauth2' ? 'oauth2' : 'bearer';
  const source = tokenSource(spec, vault, ws.env());
  const status = source.from === 'vault' ? vault().status(spec.name) : undefined;
  const use = connectionUse(ws.pipelines(), spec.name);
  const needed = use.reads || use.writes ? connectionScopes(connector, spec, use) : [];
  const grant = grantedScopes(spec, vault, ws.env());
  const scopes = grant.state === 'known' ? grant.scopes : grant.state === 'no-token' ? [] : undefined;
  const missing = scopes === undefined ? undefined : missingScopes(scopes, needed, connector.scopes?.grantsAll);
  let shown: ConnectionAuthReport['status'];
  if (status !== undefined) {
    const { connection: _connection, kind: _kind, scopes: _scopes, ...rest } = status;
    shown = rest;
  }
  const refused = spec.auth.kind === 'oauth2' && source.from === 'vault' ? grantRefusal(spec, connector, source.token) : undefined;
  return {
    connection: spec.name,
    connector: connector.name,
    kind,
    tokenFrom: source.from,
    status: shown,
    scopes,
    needed,
    missing,
    readBy: use.readBy,
    writtenBy: use.writtenBy,
    ...(refused === undefined ? {} : { refused }),
  };
}

function statusLines(report: ConnectionAuthReport): string[] {
  const from = { config: 'token from ferry.yaml', env: `token from ${tokenEnvName(report.connection)}`, vault: 'stored token', none: 'not connected' }[report.tokenFrom];
  const lines = [`${report.connection}  ${report.kind} · ${report.problem === undefined ? from : 'stored token unreadable'}`];
  if (report.problem !== undefined) {
    lines.push(`  error      ${report.problem.message}`);
    if (report.problem.hint !== undefined) lines.push(`  hint       ${report.problem.hint}`);
  }
  const s = report.status;
  if (s !== undefined) {
    lines.push(`  account    ${s.account ?? '—'}${s.forPartitions ? ' (the account whose partitions it discovers)' : ''}`);
    const expiry = s.expiresAt === undefined ? 'never' : when(s.expiresAt);
    lines.push(`  expires    ${expiry}${s.expired ? (s.refreshable ? ' — refreshed on next use' : ' — run `ferry auth ' + report.connection + '`') : ''}`);
    lines.push(`  obtained   ${when(s.obtainedAt)}`);
    lines.push(`  rotated    ${s.rotatedAt === undefined ? 'never' : when(s.rotatedAt)}`);
  }
  lines.push(`  scopes     ${report.scopes === undefined ? 'unknown (auth.scopes does not say; runs skip the check)' : report.scopes.length === 0 ? '—' : report.scopes.join(' ')}`);
  const users = [report.readBy.length > 0 ? `read by ${report.readBy.join(', ')}` : '', report.writtenBy.length > 0 ? `written by ${report.writtenBy.join(', ')}` : '']
    .filter((part) => part !== '')
    .join('; ');
  lines.push(`  needed     ${report.needed.length === 0 ? '— (no pipeline uses it)' : `${report.needed.join(' ')} (${users})`}`);
  if (report.tokenFrom === 'none') {
    lines.push(`  fix        ${report.kind === 'oauth2' ? `ferry auth ${report.connection}` : `ferry auth ${report.connection} --token-stdin < token.txt`}`);
  } else if (report.missing !== undefined && report.missing.length > 0) {
    lines.push(`  missing    ${report.missing.join(' ')} — ${report.kind === 'oauth2' ? `run \`ferry auth ${report.connection}\` to grant it` : 'store a token that has it with `--token-stdin --scopes`'}`);
  }
  if (report.refused !== undefined) {
    lines.push(`  refused    ${report.refused.message}`);
    if (report.refused.hint !== undefined) lines.push(`  fix        ${report.refused.hint}`);
  }
  return lines;
}

function statusCommand(ws: Workspace, connection: string | undefined): ExitCodeValue {
  const project = ws.project();
  let opened: TokenVault | undefined;
  const vault = (): TokenVault => (opened ??= openVault(ws));
  const specs =
    connection === undefined
      ? Object.values(project.connections).filter((spec) => spec.auth.kind !== 'none')
      : [lookUpConnection(project, ws.registry, connection).spec];
  const reports = specs.flatMap((spec) => {
    const connector = ws.registry.get(spec.connector);
    return connector === undefined || spec.auth.kind === 'none' ? [] : [reportOf(ws, spec, connector, vault)];
  });
  if (ws.options.json) {
    ws.emitJson({
      connections: reports.map((r) => ({
        connection: r.connection,
        connector: r.connector,
        kind: r.kind,
        tokenFrom: r.tokenFrom,
        account: r.status?.account ?? null,
        scopes: r.scopes ?? null,
        expiresAt: r.status?.expiresAt ?? null,
        expired: r.status?.expired ?? null,
        obtainedAt: r.status?.obtainedAt ?? null,
        rotatedAt: r.status?.rotatedAt ?? null,
        refreshable: r.status?.refreshable ?? null,
        forPartitions: r.status?.forPartitions ?? null,
        needed: r.needed,
        missing: r.missing ?? null,
        readBy: r.readBy,
        writtenBy: r.writtenBy,
        error: r.problem ?? null,
        refused: r.refused ?? null,
      })),
    });
    return ExitCode.ok;
  }
  if (reports.length === 0) {
    ws.print(connection === undefined ? 'no connection of ferry.yaml takes credentials' : `connection '${connection}' takes no credentials`);
    return ExitCode.ok;
  }
  ws.print(reports.flatMap((report, i) => (i === 0 ? statusLines(report) : ['', ...statusLines(report)])));
  return ExitCode.ok;
}

// ---------------------------------------------------------------------------------------------------------------
// ferry auth rotate / revoke

async function rotateCommand(ws: Workspace, connection: string): Promise<ExitCodeValue> {
  const project = ws.project();
  const { spec, connector } = lookUpConnection(project, ws.registry, connection);
  if (spec.auth.kind !== 'oauth2') {
    throw usage(`connection '${connection}' uses ${spec.auth.kind === 'bearer' ? `a static ${bearerLabel(connector)}` : 'no credentials'}, which does not rotate`, spec.auth.kind === 'bearer' ? `create a new token and store it with \`ferry auth ${connection} --token-stdin\`` : 'nothing to rotate');
  }
  const token = await rotateConnectionToken({ project, registry: ws.registry, connection, vault: openVault(ws), log: ws.logger().logger });
  if (ws.options.json) {
    ws.emitJson({ connection, expiresAt: token.expiresAt ?? null, rotatedAt: token.rotatedAt ?? null, scopes: token.scopes });
  } else {
    ws.print([`rotated ${connection}: the refresh token was replaced and stored`, `  expires    ${token.expiresAt === undefined ? 'never' : when(token.expiresAt)}`]);
  }
  return ExitCode.ok;
}

function revokeCommand(ws: Workspace, connection: string): ExitCodeValue {
  const { spec } = lookUpConnection(ws.project(), ws.registry, connection);
  const vault = openVault(ws);
  let stored: StoredToken | undefined;
  let unreadable = false;
  try {
    stored = vault.get(spec.name);
  } catch (error) {
    // A token this key cannot open is forgotten all the same: that is often why one revokes.
    if (!(error instanceof FerryError && error.code === 'AUTH_TOKEN_UNREADABLE')) throw error;
    unreadable = true;
  }
  const removed = stored !== undefined || unreadable;
  if (removed) vault.remove(spec.name);
  if (ws.options.json) {
    ws.emitJson({ connection, removed, kind: stored?.kind ?? null });
    return ExitCode.ok;
  }
  if (!removed) {
    ws.print(`no stored token for ${connection}: nothing to forget`);
    return ExitCode.ok;
  }
  ws.print([
    `forgot the stored ${stored?.kind === 'oauth2' ? 'OAuth tokens' : 'token'} of ${connection}; runs need \`ferry auth ${connection}\` again`,
    "  ferry only forgets its copy: if a token may have leaked, also revoke the app's access (or the token) in the provider's settings",
  ]);
  return ExitCode.ok;
}
