/**
 * JSON Pointers (RFC 6901) name places in a loaded file: ajv reports errors by them, and the source map of a
 * YAML file is keyed by them. Key paths (`then[0].action`) are the same places written for people.
 */

export type PointerSegment = string | number;

export function pointerOf(segments: readonly PointerSegment[]): string {
  return segments.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function segmentsOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function childPointer(pointer: string, segment: PointerSegment): string {
  return pointer + pointerOf([segment]);
}

export function parentPointer(pointer: string): string {
  const cut = pointer.lastIndexOf('/');
  return cut <= 0 ? '' : pointer.slice(0, cut);
}

/** `from.stream`, `map.phone`, `then[0].action`: numbers are sequence indices. */
export function keyPathOf(segments: readonly PointerSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}
