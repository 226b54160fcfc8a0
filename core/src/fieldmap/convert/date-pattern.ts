/**
 * Date patterns as people write them (`YYYY-MM-DD HH:mm:ss`, `MM/DD/YYYY`, the moment/dayjs tokens) translated
 * to luxon's token language, which spells some of them differently (`yyyy`, `dd`) and treats every letter as a
 * token. Letters that are no token here are literals (`T`), as is anything in square brackets (`[at]`).
 */

/** Ours → luxon's. Longest first, so that `MMMM` wins over `MM`. */
const TOKENS: readonly (readonly [string, string])[] = [
  ['YYYY', 'yyyy'],
  ['MMMM', 'MMMM'],
  ['MMM', 'MMM'],
  ['SSS', 'SSS'],
  ['YY', 'yy'],
  ['MM', 'MM'],
  ['DD', 'dd'],
  ['HH', 'HH'],
  ['hh', 'hh'],
  ['mm', 'mm'],
  ['ss', 'ss'],
  ['ZZ', 'ZZZ'],
  ['M', 'M'],
  ['D', 'd'],
  ['H', 'H'],
  ['h', 'h'],
  ['m', 'm'],
  ['s', 's'],
  ['A', 'a'],
  ['a', 'a'],
  ['Z', 'ZZ'],
];

export interface DatePattern {
  /** The same pattern in luxon's tokens. */
  readonly luxon: string;
  /** True when at least one token of two or more letters appears (`YYYY`, `HH`): it is a pattern, not a word. */
  readonly hasLongToken: boolean;
}

function quoteLiteral(text: string): string {
  // luxon reads letters as tokens unless single-quoted; a quote itself is written twice.
  return /[A-Za-z']/.test(text) ? `'${text.replaceAll("'", "''")}'` : text;
}

export function translateDatePattern(pattern: string): DatePattern {
  let luxon = '';
  let literal = '';
  let hasLongToken = false;
  let i = 0;
  const flush = (): void => {
    if (literal !== '') luxon += quoteLiteral(literal);
    literal = '';
  };
  while (i < pattern.length) {
    if (pattern[i] === '[') {
      const close = pattern.indexOf(']', i);
      if (close !== -1) {
        literal += pattern.slice(i + 1, close);
        i = close + 1;
        continue;
      }
    }
    const token = TOKENS.find(([ours]) => pattern.startsWith(ours, i));
    if (token === undefined) {
      literal += pattern[i];
      i += 1;
      continue;
    }
    flush();
    luxon += token[1];
    if (token[0].length > 1) hasLongToken = true;
    i += token[0].length;
  }
  flush();
  return { luxon, hasLongToken };
}
