import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where each campaign leaves its figures (one JSON file each); report.ts turns them into RELIABILITY.md. */
export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export interface CampaignResult {
  readonly campaign: string;
  readonly command: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Did every invariant hold? */
  readonly held: boolean;
  /** Figures by name, in the order they read best. */
  readonly figures: Readonly<Record<string, string | number | boolean>>;
  readonly notes: readonly string[];
}

export function saveResult(result: CampaignResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${result.campaign}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

export function loadResults(): CampaignResult[] {
  let files: string[];
  try {
    files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.sort().map((f) => JSON.parse(readFileSync(join(RESULTS_DIR, f), 'utf8')) as CampaignResult);
}

/** `--name value` from argv, as a number. */
export function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at === -1 ? undefined : process.argv[at + 1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} expects a number, got ${String(raw)}`);
  return value;
}
