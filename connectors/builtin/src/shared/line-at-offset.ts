import { createReadStream } from 'node:fs';

/**
 * The 1-based line number of the byte at `offset`, by counting newlines before it. Only error messages need it, so
 * readers do not track lines record by record (a quoted CSV field may span several).
 */
export async function lineAtOffset(file: string, offset: number): Promise<number> {
  if (offset <= 0) return 1;
  let line = 1;
  try {
    for await (const chunk of createReadStream(file, { end: offset - 1 }) as AsyncIterable<Buffer>) {
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) line += 1;
    }
  } catch {
    // The line only decorates a message that is already being raised; an unreadable file must not hide it.
  }
  return line;
}
