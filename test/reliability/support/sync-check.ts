import Database from 'better-sqlite3';
import type { ServedSandbox } from '@ferry/core';
import { SANDBOX_LOCATION_ID } from '@ferry/connector-ghl/sandbox';
import { SYNC_PIPELINE, SYNC_TAG, SYNC_TASK_TITLE } from './sync-project.js';

interface SalesmsgContact {
  readonly id: number;
  readonly first_name: string | null;
  readonly number: string | null;
  readonly email: string | null;
  readonly updated_at: string;
  readonly tags: readonly { readonly label?: string; readonly name?: string }[];
}

interface GhlContact {
  readonly id: string;
  readonly firstName?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly tags?: readonly string[];
}

interface GhlTask {
  readonly id: string;
  readonly title: string;
  readonly contactId: string;
}

export interface SyncFacts {
  /** Source contacts the pipeline's `where` keeps. */
  readonly qualifying: readonly SalesmsgContact[];
  readonly ghlContacts: readonly GhlContact[];
  readonly tasks: readonly GhlTask[];
  /** source id → GHL contact id, from the store's link table. */
  readonly links: ReadonlyMap<string, string>;
  /** Newest `updated_at` of any source contact (epoch ms). */
  readonly newestSourceUpdate: number;
}

export async function readSyncFacts(salesmsg: ServedSandbox, ghl: ServedSandbox, storeFile: string): Promise<SyncFacts> {
  const source = salesmsg.instance.snapshot() as unknown as { contacts: SalesmsgContact[] };
  const target = ghl.instance.snapshot() as unknown as { locations: { id: string; contacts: GhlContact[]; tasks: GhlTask[] }[] };
  const location = target.locations.find((l) => l.id === SANDBOX_LOCATION_ID);
  const db = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT source_id AS sourceId, target_id AS targetId FROM links WHERE source_connection = 'salesmsg' AND target_connection = 'ghl' AND target_entity = 'contacts'")
      .all() as { sourceId: string; targetId: string }[];
    return {
      qualifying: source.contacts.filter((c) => c.tags.some((t) => (t.label ?? t.name) === 'lead')),
      ghlContacts: location?.contacts ?? [],
      tasks: location?.tasks ?? [],
      links: new Map(rows.map((r) => [r.sourceId, r.targetId])),
      newestSourceUpdate: Math.max(...source.contacts.map((c) => Date.parse(c.updated_at))),
    };
  } finally {
    db.close();
  }
}

function duplicates(values: readonly (string | undefined)[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const v of values) {
    if (v === undefined || v === '') continue;
    if (seen.has(v)) twice.add(v);
    seen.add(v);
  }
  return [...twice];
}

/**
 * What must hold at any moment, even right after a SIGKILL: no GHL contact twice (by phone or email), no task
 * twice on one contact, every link points at a GHL contact that exists. Returns the violations (empty: all held).
 */
export function safetyViolations(facts: SyncFacts): string[] {
  const problems: string[] = [];
  const byPhone = duplicates(facts.ghlContacts.map((c) => c.phone));
  const byEmail = duplicates(facts.ghlContacts.map((c) => c.email?.toLowerCase()));
  if (byPhone.length > 0) problems.push(`GHL contacts sharing a phone: ${byPhone.slice(0, 5).join(', ')}`);
  if (byEmail.length > 0) problems.push(`GHL contacts sharing an email: ${byEmail.slice(0, 5).join(', ')}`);
  const taskKeys = duplicates(facts.tasks.map((t) => `${t.contactId}|${t.title}`));
  if (taskKeys.length > 0) problems.push(`tasks created twice: ${taskKeys.length} (${taskKeys.slice(0, 3).join(', ')})`);
  const ids = new Set(facts.ghlContacts.map((c) => c.id));
  const dangling = [...facts.links.entries()].filter(([, target]) => !ids.has(target));
  if (dangling.length > 0) problems.push(`links to missing GHL contacts: ${dangling.length}`);
  const tagTwice = facts.ghlContacts.filter((c) => (c.tags ?? []).filter((t) => t === SYNC_TAG).length > 1);
  if (tagTwice.length > 0) problems.push(`tag ${SYNC_TAG} twice on ${tagTwice.length} contacts`);
  return problems;
}

/** What must hold once the sync has finished: every qualifying contact landed exactly once, tagged, with one task. */
export function completenessViolations(facts: SyncFacts): string[] {
  const problems = safetyViolations(facts);
  const byId = new Map(facts.ghlContacts.map((c) => [c.id, c]));
  const tasksByContact = new Map<string, number>();
  for (const t of facts.tasks) if (t.title === SYNC_TASK_TITLE) tasksByContact.set(t.contactId, (tasksByContact.get(t.contactId) ?? 0) + 1);
  let unlinked = 0;
  let wrongTarget = 0;
  let untagged = 0;
  let taskless = 0;
  let stale = 0;
  const targets = new Set<string>();
  for (const source of facts.qualifying) {
    const target = facts.links.get(String(source.id));
    const contact = target === undefined ? undefined : byId.get(target);
    if (target === undefined || contact === undefined) {
      unlinked += 1;
      continue;
    }
    targets.add(target);
    const samePerson = (source.number !== null && contact.phone === source.number) || (source.email !== null && contact.email === source.email.toLowerCase());
    if (!samePerson) wrongTarget += 1;
    if (!(contact.tags ?? []).includes(SYNC_TAG)) untagged += 1;
    if ((source.first_name ?? undefined) !== contact.firstName) stale += 1;
    if (tasksByContact.get(target) !== 1) taskless += 1;
  }
  if (unlinked > 0) problems.push(`${unlinked} qualifying contacts not linked to a GHL contact`);
  if (wrongTarget > 0) problems.push(`${wrongTarget} links to a GHL contact with another phone and email`);
  if (targets.size !== facts.qualifying.length - unlinked) problems.push('two source contacts linked to one GHL contact');
  if (stale > 0) problems.push(`${stale} GHL contacts whose first name misses the last source change`);
  if (untagged > 0) problems.push(`${untagged} GHL contacts without the ${SYNC_TAG} tag`);
  if (taskless > 0) problems.push(`${taskless} GHL contacts without exactly one task`);
  if (facts.ghlContacts.length !== facts.qualifying.length) problems.push(`${facts.ghlContacts.length} GHL contacts for ${facts.qualifying.length} qualifying source contacts`);
  return problems;
}

/** The checkpoint's watermark, and whether it equals the newest `updated_at` of the source (the sync is at the end). */
export function checkpointAtEnd(facts: SyncFacts, storeFile: string): { readonly watermark: string | undefined; readonly atEnd: boolean } {
  const db = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT state FROM checkpoints WHERE pipeline = ? AND stream = ?').get(SYNC_PIPELINE, 'contacts') as { state: string } | undefined;
    const state = row === undefined ? undefined : (JSON.parse(row.state) as { watermark?: string });
    const watermark = state?.watermark;
    return { watermark, atEnd: watermark !== undefined && Date.parse(watermark) === facts.newestSourceUpdate };
  } finally {
    db.close();
  }
}
