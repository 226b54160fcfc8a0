/**
 * Runs `task` over every item with at most `concurrency` at once, results in the items' order. Items not yet
 * started when `shouldStart` turns false are left out (undefined): a stop lets the running ones finish.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
  shouldStart: () => boolean = () => true,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = Array.from({ length: items.length }, () => undefined);
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    while (shouldStart()) {
      const step = queue.next();
      if (step.done === true) return;
      const [index, item] = step.value;
      results[index] = await task(item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
