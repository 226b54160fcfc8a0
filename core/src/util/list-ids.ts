/** How many ids a message lists before it only counts the rest (an agency can have hundreds of locations). */
const LISTED_IDS = 20;

/** Ids for a message: the first twenty, then how many there are in all (`a, b, … (240 in all)`). */
export function listIds(ids: readonly string[]): string {
  return `${ids.slice(0, LISTED_IDS).join(', ')}${ids.length > LISTED_IDS ? `, … (${ids.length} in all)` : ''}`;
}
