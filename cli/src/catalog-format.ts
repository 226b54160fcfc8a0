import type { CatalogAuth, CatalogConnector, CatalogLimits, CatalogStream } from './catalog-model.js';
import { formatCount, formatDuration, formatTable, formatWindow } from './format.js';

const NONE = '—';

function describeAuth(auth: CatalogAuth): string {
  switch (auth.kind) {
    case 'oauth2':
      return `oauth2 (authorize ${auth.authorizeUrl}, token ${auth.tokenUrl})`;
    case 'bearer':
      return `bearer (${auth.label})`;
    case 'none':
      return 'none';
  }
}

function describeLimits(limits: CatalogLimits | undefined): string {
  if (limits === undefined || limits.windows.length === 0) return 'none';
  const parts = [limits.windows.map((w) => `${formatCount(w.max)} per ${formatWindow(w.perMs)}`).join(', ')];
  if (limits.maxConcurrent !== undefined) parts.push(`at most ${limits.maxConcurrent} at once`);
  if (limits.penaltyMs !== undefined) parts.push(`waits ${formatDuration(limits.penaltyMs)} after an unexplained 429`);
  if (limits.readsRateHeaders) parts.push('adapts to the rate headers');
  return parts.join('; ');
}

/** `contactId ← contacts.id`: a child stream's parameter says which parent field feeds it. */
function describeParams(stream: CatalogStream): string {
  const { parent } = stream;
  if (parent === undefined) return stream.params.join(', ');
  const fed = `${parent.param} ← ${parent.stream}.${parent.from}`;
  const params = stream.params.map((p) => (p === parent.param ? fed : p));
  return (params.includes(fed) ? params : [fed, ...params]).join(', ');
}

/** A titled table of the catalog ("streams (11)"), or "none". */
function section(title: string, header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return ['', `  ${title} (${rows.length})`, ...(rows.length === 0 ? ['    none'] : formatTable(header, rows, '    '))];
}

/** The text catalog of one connector: every stream, action and trigger, with what a pipeline author needs. */
export function formatCatalog(connector: CatalogConnector): string[] {
  const lines = [`${connector.name} ${connector.version} — ${connector.description}`];
  lines.push(`  auth      ${connector.auth.map(describeAuth).join(', ') || 'none'}`);
  if (connector.scopes !== undefined) {
    lines.push(`  scopes    read: ${connector.scopes.read.join(' ') || NONE}; write adds: ${connector.scopes.write.join(' ') || NONE}`);
  }
  lines.push(`  limits    ${describeLimits(connector.limits)}`);
  const config = connector.config.map((f) => `${f.name}${f.required ? '*' : ''} (${f.type})`);
  lines.push(`  config    ${config.join(', ') || NONE}${config.some((c) => c.includes('*')) ? '   (* required)' : ''}`);
  lines.push(`  sandbox   ${connector.sandbox ? `yes: \`ferry sandbox ${connector.name}\`` : 'no'}`);

  lines.push(
    ...section(
      'streams',
      ['NAME', 'PRIMARY KEY', 'CURSOR', 'SYNC', 'SCOPE', 'PARAMS', 'DESCRIPTION'],
      connector.streams.map((s) => [
        s.name,
        s.primaryKey,
        s.cursorField ?? NONE,
        s.syncModes.join(', '),
        s.scope ?? NONE,
        describeParams(s) || NONE,
        s.description,
      ]),
    ),
    ...section(
      'actions',
      ['NAME', 'HTTP', 'SCOPE', 'IDEMPOTENCE', 'OPTIONS', 'DESCRIPTION'],
      connector.actions.map((a) => [
        a.name,
        a.method === undefined ? NONE : `${a.method} ${a.path ?? ''}`.trim(),
        a.scope ?? NONE,
        a.idempotence,
        a.options.join(', ') || NONE,
        a.description,
      ]),
    ),
    ...section(
      'triggers',
      ['NAME', 'KIND', 'STREAM', 'VERIFIED', 'DESCRIPTION'],
      connector.triggers.map((t) => [t.name, t.kind, t.stream, t.verified ? 'yes' : 'no', t.description]),
    ),
  );
  return lines;
}
