import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installGracefulStop } from './graceful-stop.js';

describe('graceful stop', () => {
  it('aborts on the first signal, forces on the second, and lets go when disposed', async () => {
    const source = new EventEmitter();
    const events: string[] = [];
    const stop = installGracefulStop({
      source,
      onStopping: (s) => events.push(`stopping ${s}`),
      onForce: (s) => events.push(`force ${s}`),
    });
    expect(stop.signal.aborted).toBe(false);
    source.emit('SIGTERM', 'SIGTERM');
    expect(stop.signal.aborted).toBe(true);
    await expect(stop.stopped).resolves.toBeUndefined();
    source.emit('SIGINT', 'SIGINT');
    expect(events).toEqual(['stopping SIGTERM', 'force SIGINT']);
    stop.dispose();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });

  it('takes a listener from each of many runs at once without a MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const stop = installGracefulStop({ source: new EventEmitter(), onStopping: () => undefined, onForce: () => undefined });
      const runs = Array.from({ length: 16 }, () => () => undefined);
      for (const onAbort of runs) stop.signal.addEventListener('abort', onAbort, { once: true });
      // Node emits the warning on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
      for (const onAbort of runs) stop.signal.removeEventListener('abort', onAbort);
      stop.dispose();
    } finally {
      process.off('warning', onWarning);
    }
  });
});
