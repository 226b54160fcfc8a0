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
});
