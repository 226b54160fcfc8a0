import cliProgress from 'cli-progress';
import type { RunProgress } from '@ferry/core';
import { formatCount, formatDuration } from './format.js';

/** The part of the engine's `onProgress` reports that the display shows. */
export type ProgressSnapshot = Pick<RunProgress, 'read' | 'written' | 'deadLettered' | 'total' | 'recordsPerSecond'>;

export interface ProgressDisplay {
  update(progress: ProgressSnapshot): void;
  /** Clears the bar (the summary takes its place). Safe to call twice. */
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface ProgressOptions {
  readonly label: string;
  readonly mode: ProgressMode;
  readonly stream: NodeJS.WritableStream;
  /** Minimum time between two plain lines. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** A bar on a terminal, plain periodic lines in a pipe or a CI log, nothing when asked for nothing. */
export function createProgressDisplay(options: ProgressOptions): ProgressDisplay {
  switch (options.mode) {
    case 'bar':
      return barDisplay(options);
    case 'lines':
      return lineDisplay(options);
    case 'off':
      return { update() {}, stop() {} };
  }
}

export function progressMode(options: { enabled: boolean; isTTY: boolean }): ProgressMode {
  if (!options.enabled) return 'off';
  return options.isTTY ? 'bar' : 'lines';
}

export function describeProgress(label: string, p: ProgressSnapshot, elapsedMs: number): string {
  const done = p.total === undefined ? formatCount(p.read) : `${formatCount(p.read)}/${formatCount(p.total)}`;
  const dead = p.deadLettered > 0 ? ` · ${formatCount(p.deadLettered)} dead-lettered` : '';
  return `${label}: ${done} read · ${formatCount(p.written)} written${dead} · ${formatCount(p.recordsPerSecond)} records/s · ${formatDuration(elapsedMs)}`;
}

function lineDisplay(options: ProgressOptions): ProgressDisplay {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 5_000;
  const started = now();
  let lastLine = started;
  return {
    update(p) {
      const t = now();
      if (t - lastLine < interval) return;
      lastLine = t;
      options.stream.write(`${describeProgress(options.label, p, t - started)}\n`);
    },
    stop() {},
  };
}

interface BarPayload {
  readonly label: string;
  readonly written: string;
  readonly dead: string;
  readonly speed: string;
  readonly known: boolean;
}

function barDisplay(options: ProgressOptions): ProgressDisplay {
  const bar = new cliProgress.SingleBar({
    stream: options.stream,
    hideCursor: true,
    clearOnComplete: true,
    // Signals belong to the graceful stop; the bar must not install its own handlers.
    gracefulExit: false,
    barsize: 24,
    format(barOptions, params, payload: BarPayload) {
      const elapsed = formatDuration(Date.now() - params.startTime);
      const counts = `${payload.written} written${payload.dead} · ${payload.speed} records/s · ${elapsed}`;
      if (!payload.known) return `${payload.label} ${formatCount(params.value)} read · ${counts}`;
      const filled = Math.round(Math.min(params.progress, 1) * (barOptions.barsize ?? 24));
      const track = `${'█'.repeat(filled)}${'░'.repeat((barOptions.barsize ?? 24) - filled)}`;
      return `${payload.label} ${track} ${Math.floor(params.progress * 100)}% ${formatCount(params.value)}/${formatCount(params.total)} · ${counts}`;
    },
  });
  let started = false;
  let stopped = false;
  const payload = (p: ProgressSnapshot): BarPayload => ({
    label: options.label,
    written: formatCount(p.written),
    dead: p.deadLettered > 0 ? ` · ${formatCount(p.deadLettered)} dead-lettered` : '',
    speed: formatCount(p.recordsPerSecond),
    known: p.total !== undefined,
  });
  return {
    update(p) {
      if (stopped) return;
      if (!started) {
        bar.start(p.total ?? 0, p.read, payload(p));
        started = true;
      } else if (p.total !== undefined && p.total !== bar.getTotal()) {
        bar.setTotal(p.total);
      }
      bar.update(p.read, payload(p));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
