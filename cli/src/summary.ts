import type { RunStatus, RunSummary } from '@ferry/core';
import { formatCount, formatDuration, formatPercent } from './format.js';

export interface RunReport {
  readonly pipeline: string;
  readonly runId: number | undefined;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly dryRun?: boolean;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string | undefined } | undefined;
}

/** The summary printed after each pipeline: counts, API usage, timing, and what to do next. */
export function formatRunReport(report: RunReport): string[] {
  const { summary } = report;
  const run = report.runId === undefined ? '' : ` — run #${report.runId}`;
  const dry = report.dryRun === true ? ' (dry run: nothing was written)' : '';
  const records = [
    `read ${formatCount(summary.read)}`,
    `created ${formatCount(summary.created)}`,
    `updated ${formatCount(summary.updated)}`,
    `unchanged ${formatCount(summary.unchanged)}`,
    ...(summary.deleted > 0 ? [`deleted ${formatCount(summary.deleted)}`] : []),
    `skipped ${formatCount(summary.skipped)}`,
    `dead-lettered ${formatCount(summary.deadLettered)}`,
  ];
  const api = [
    `calls ${formatCount(summary.apiCalls)}`,
    `429s ${formatCount(summary.rateLimited)}`,
    `retries ${formatCount(summary.retries)}`,
    `rate-limit utilization ${formatPercent(summary.utilization)}`,
  ];
  const perSecond = summary.durationMs > 0 ? (summary.read * 1_000) / summary.durationMs : 0;
  const lines = [
    `${report.pipeline}: ${report.status}${run}${dry}`,
    `  records  ${records.join(' · ')}`,
    `  api      ${api.join(' · ')}`,
    `  time     ${formatDuration(summary.durationMs)} (${formatCount(perSecond)} records/s)`,
  ];
  if (report.error !== undefined) {
    lines.push(`  error: ${report.error.message}`);
    if (report.error.hint !== undefined) lines.push(`  hint: ${report.error.hint}`);
  }
  if (report.status === 'partial') {
    lines.push(
      `  hint: ${formatCount(summary.deadLettered)} record(s) are in the dead-letter queue: \`ferry dlq list ${report.pipeline}\`, ` +
        `then \`ferry dlq replay ${report.pipeline}\` once the cause is fixed`,
    );
  }
  if (report.status === 'stopped') {
    lines.push('  stopped: every record written so far is checkpointed; run the same command again to resume');
  }
  return lines;
}
