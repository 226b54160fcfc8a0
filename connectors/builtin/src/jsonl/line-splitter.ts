/** One line of a file, with where it ends so a checkpoint can point just past it. */
export interface Line {
  /** The line without its '\n' (a '\r' before it is kept; JSON treats it as whitespace). */
  readonly text: string;
  /** 1-based line number in the file. */
  readonly number: number;
  /** Byte offset just after the line's '\n' (or the end of the data for a last line without one). */
  readonly end: number;
}

export interface LinePosition {
  /** Byte offset where the first chunk starts. */
  readonly offset: number;
  /** Lines before that offset. */
  readonly line: number;
}

/**
 * Splits a byte stream into lines at '\n', keeping exact byte offsets. node:readline yields the lines but not
 * where they end in bytes (and splits on a lone '\r' too), which a byte-offset checkpoint needs.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineStart: number;
  private lineNumber: number;

  constructor(start: LinePosition) {
    this.lineStart = start.offset;
    this.lineNumber = start.line;
  }

  /** The complete lines in this chunk; a trailing partial line waits for the next chunk. */
  push(chunk: Buffer): Line[] {
    const lines: Line[] = [];
    let from = 0;
    for (let newline = chunk.indexOf(0x0a, from); newline !== -1; newline = chunk.indexOf(0x0a, from)) {
      lines.push(this.take(chunk.subarray(from, newline), 1));
      from = newline + 1;
    }
    if (from < chunk.length) {
      this.pending.push(chunk.subarray(from));
      this.pendingBytes += chunk.length - from;
    }
    return lines;
  }

  /** The last line when the data does not end with '\n'. */
  end(): Line | undefined {
    if (this.pendingBytes === 0) return undefined;
    return this.take(Buffer.alloc(0), 0);
  }

  private take(tail: Buffer, terminatorBytes: number): Line {
    let bytes = tail;
    if (this.pending.length > 0) {
      bytes = Buffer.concat([...this.pending, tail]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.lineStart += bytes.length + terminatorBytes;
    this.lineNumber += 1;
    return { text: bytes.toString('utf8'), number: this.lineNumber, end: this.lineStart };
  }
}
