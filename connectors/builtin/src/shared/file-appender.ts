import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConnectorContext } from '@ferry/core';
import { fileError } from './file-errors.js';

/** What the first append learned about the file. */
export interface FileEnd {
  /** The file did not exist or was empty: a header (if any) is still to be written. */
  readonly isNew: boolean;
}

/**
 * Appends to one file strictly in call order, although the engine runs several writes at once: a header is written
 * exactly once, and a last line without its newline gets one before the next record.
 * Each append is on disk (in the OS cache, not fsynced) when its promise resolves, so a killed process keeps it;
 * only a power loss can drop the newest lines. Replays after a crash may duplicate lines (idempotence 'none').
 */
export class FileAppender {
  private tail: Promise<void> = Promise.resolve();
  private end: FileEnd | undefined;
  private needsNewline = false;

  constructor(readonly file: string) {}

  append(render: (end: FileEnd) => string | Promise<string>): Promise<void> {
    const write = this.tail.then(() => this.write(render));
    this.tail = write.catch(() => undefined);
    return write;
  }

  private async write(render: (end: FileEnd) => string | Promise<string>): Promise<void> {
    const end = this.end ?? (await this.inspect());
    const text = await render(end);
    try {
      await appendFile(this.file, this.needsNewline ? `\n${text}` : text);
    } catch (error) {
      throw fileError(error, this.file, 'write');
    }
    this.end = { isNew: false };
    this.needsNewline = !text.endsWith('\n');
  }

  private async inspect(): Promise<FileEnd> {
    let handle;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      handle = await open(this.file, 'a+');
      const { size } = await handle.stat();
      if (size === 0) return { isNew: true };
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      this.needsNewline = last[0] !== 0x0a;
      return { isNew: false };
    } catch (error) {
      throw fileError(error, this.file, 'write');
    } finally {
      await handle?.close();
    }
  }
}

/** One appender per file and run, kept in the run's cache so concurrent writes share its queue. */
export function appenderFor(ctx: ConnectorContext, file: string): FileAppender {
  const key = `builtin:append:${file}`;
  const cached = ctx.cache.get(key);
  if (cached instanceof FileAppender) return cached;
  const appender = new FileAppender(file);
  ctx.cache.set(key, appender);
  return appender;
}
