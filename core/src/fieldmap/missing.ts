/** A value a field map treats as absent: it takes the entry's default, or the target field is left out. */
export function isMissing(value: unknown): value is undefined | null | '' {
  return value === undefined || value === null || value === '';
}
