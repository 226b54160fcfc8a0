import damerauLevenshtein from 'damerau-levenshtein';

/**
 * The closest known name to a mistyped one, or undefined when nothing is close enough to be a useful guess.
 * "Close enough": at most a third of the longer name differs (so `contact` → `contacts`, not `x` → `tags`).
 * Two swapped letters count as one edit (`wehre` → `where`), the commonest typo.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const needle = input.toLowerCase();
  for (const candidate of candidates) {
    const d = damerauLevenshtein(needle, candidate.toLowerCase()).steps;
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(input.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** " — did you mean 'contacts'?" or "" — ready to append to a message. */
export function didYouMeanSuffix(input: string, candidates: Iterable<string>): string {
  const guess = didYouMean(input, candidates);
  return guess === undefined ? '' : ` — did you mean '${guess}'?`;
}
