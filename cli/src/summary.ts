import type { RunStatus, RunSummary } from '@ferry/core';
import { formatCount, formatDuration, formatPercent } from './format.js';

export interface RunReport {
  readonly pipeline: string;
  /** The partition the run read, for partitioned pipelines. */
  readonly partition?: string | undefined;
  readonly partitionLabel?: string | undefined;
  readonly runId: number | undefined;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly dryRun?: boolean;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string | undefined } | undefined;
}

/** `loc1 · Main Street`: a partition's id and, when it has one, its label. */
export function partitionName(report: Pick<RunReport, 'partition' | 'partitionLabel'>): string {
  return `${report.partition ?? ''}${report.partitionLabel === undefined ? '' : ` · ${report.partitionLabel}`}`;
}

/** `contacts`, or `contacts [loc1 · Main Street]` for a partition's run. */
export function reportName(report: Pick<RunReport, 'pipeline' | 'partition' | 'partitionLabel'>): string {
  return report.partition === undefined ? report.pipeline : `${report.pipeline} [${partitionName(report)}]`;
}

/** The records, API and time lines of a summary. */
function summaryLines(summary: RunSummary): string[] {
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
  return [
    `  records  ${records.join(' · ')}`,
    `  api      ${api.join(' · ')}`,
    `  time     ${formatDuration(summary.durationMs)} (${formatCount(perSecond)} records/s)`,
  ];
}

/** The summary printed after each pipeline: counts, API usage, timing, and what to do next. */
export function formatRunReport(report: RunReport): string[] {
  const { summary } = report;
  const run = report.runId === undefined ? '' : ` — run #${report.runId}`;
  const dry = report.dryRun === true ? ' (dry run: nothing was written)' : '';
  const lines = [`${reportName(report)}: ${report.status}${run}${dry}`, ...summaryLines(summary)];
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

/** A partitioned pipeline's total over the runs of its partitions: how many ended how, and the summed counts. */
export function formatPartitionsTotal(pipeline: string, reports: readonly RunReport[], total: RunReport['summary'], notStarted: number): string[] {
  const byStatus = new Map<string, number>();
  for (const report of reports) byStatus.set(report.status, (byStatus.get(report.status) ?? 0) + 1);
  const statuses = [...byStatus].map(([status, count]) => `${count} ${status}`);
  if (notStarted > 0) statuses.push(`${notStarted} not started`);
  const count = reports.length + notStarted;
  const dry = reports.some((report) => report.dryRun === true) ? ' (dry run: nothing was written)' : '';
  return [`${pipeline}: ${count} partition${count === 1 ? '' : 's'} — ${statuses.join(', ') || 'none'}${dry}`, ...summaryLines(total)];
}
