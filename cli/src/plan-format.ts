import type { PlanEntry, RunSummary } from '@ferry/core';
import { formatCount, formatValue } from './format.js';

const MARKS: Readonly<Record<PlanEntry['outcome'], string>> = {
  create: '+ create   ',
  update: '~ update   ',
  unchanged: '= unchanged',
  skip: '- skip     ',
  error: '! fail     ',
};

/** One record of a plan: what would happen to it and, field by field, what would change. */
export function formatPlanEntry(entry: PlanEntry): string[] {
  const target = entry.targetId !== undefined && entry.targetId !== entry.sourceId ? ` → ${entry.targetId}` : '';
  const reason = entry.outcome === 'skip' ? '  (filtered out by where)' : '';
  const lines = [`  ${MARKS[entry.outcome]} ${entry.sourceId ?? '(no id)'}${target}${reason}`];
  if (entry.error !== undefined) {
    lines.push(`      ${entry.error.code}: ${entry.error.message}`);
    if (entry.error.hint !== undefined) lines.push(`      hint: ${entry.error.hint}`);
  }
  for (const change of entry.diff) {
    lines.push(
      change.before === undefined
        ? `      ${change.field}: ${formatValue(change.after)}`
        : `      ${change.field}: ${formatValue(change.before)} → ${formatValue(change.after)}`,
    );
  }
  return lines;
}

/** Skipped records in one line (they are many and alike): the first ids, then how many more. */
export function formatSkipped(ids: readonly string[], shown = 8): string {
  const more = ids.length > shown ? `, … (+${formatCount(ids.length - shown)} more; --all lists them)` : '';
  return `  - skip       ${formatCount(ids.length)} filtered out by where: ${ids.slice(0, shown).join(', ')}${more}`;
}

export function formatPlanTotals(summary: RunSummary, counts: Readonly<Record<PlanEntry['outcome'], number>>): string {
  const parts = [
    `${formatCount(summary.read)} read`,
    `${formatCount(counts.create)} to create`,
    `${formatCount(counts.update)} to update`,
    `${formatCount(counts.unchanged)} unchanged`,
    `${formatCount(counts.skip)} skipped`,
  ];
  const failing = Math.max(counts.error, summary.deadLettered);
  if (failing > 0) parts.push(`${formatCount(failing)} would fail`);
  return `${parts.join(' · ')} — nothing was written`;
}
