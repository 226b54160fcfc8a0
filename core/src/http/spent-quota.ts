/** How long until a spent budget frees up, in the unit a person reads at a glance. */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.round(minutes / 6) / 10} h`;
}

/** The message part saying the daily quota of an account is gone, with the reset when it is known. */
export function dailyQuotaSpentMessage(account: string, resetsInMs: number | undefined): string {
  const reset = resetsInMs === undefined ? '' : ` (it resets within about ${describeWait(resetsInMs)})`;
  return `the daily API quota of account '${account}' is spent${reset}`;
}

/** What a person can do about a spent daily quota. */
export function dailyQuotaSpentHint(account: string): string {
  return (
    `the run stopped at its last checkpoint: wait for the daily API quota of account '${account}' to reset and run it again ` +
    '(it resumes where it stopped), or lower the volume of the pipeline (a narrower `where`, fewer follow-up actions, ' +
    'or other apps on the account using less)'
  );
}
