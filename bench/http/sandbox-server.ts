/**
 * Child-process entry: serves the GHL sandbox on loopback and answers its parent over IPC (`stats`, `close`).
 * A benchmark runs the sandbox here so that the server's work does not share the measured client's thread.
 */
import { serveSandbox, type ServeSandboxOptions } from '@ferry/core';
import { ghlSandbox } from '@ferry/connector-ghl/sandbox';
import type { ParentMessage, ServerMessage } from './sandbox-messages.js';

function reply(message: ServerMessage): void {
  process.send?.(message);
}

const options = JSON.parse(process.argv[2] ?? '{}') as ServeSandboxOptions;
const served = await serveSandbox(ghlSandbox, options);
reply({ type: 'ready', url: served.url });

process.on('message', (message: ParentMessage) => {
  if (message.type === 'stats') reply({ type: 'stats', id: message.id, stats: served.instance.stats() });
  if (message.type === 'close') {
    void served.close().finally(() => process.exit(0));
  }
});
// The parent went away (crashed, or was killed): nothing is left to serve.
process.on('disconnect', () => process.exit(0));
