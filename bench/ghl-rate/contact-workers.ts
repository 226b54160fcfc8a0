/**
 * Flattens pages into items, asking for the next page as soon as the current one is handed over: the workers
 * never wait for a page they could have had (the engine's pulled pages read ahead the same way).
 */
export async function* readAhead<T>(pages: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  let pending = iterator.next();
  // Marked handled here; the await below still sees the failure.
  pending.catch(() => undefined);
  for (;;) {
    const result = await pending;
    if (result.done === true) return;
    pending = iterator.next();
    pending.catch(() => undefined);
    yield* result.value;
  }
}

/**
 * Runs `work` on every item with at most `concurrency` at once. The workers share one iterator: an async
 * generator queues concurrent next() calls, so each item goes to exactly one worker.
 */
export async function forEachConcurrently<T>(items: AsyncIterable<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      await work(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
