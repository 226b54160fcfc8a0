import { runCli } from './cli.js';
import { processIo } from './cli-io.js';

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
// Whatever still holds the event loop (a keep-alive socket, a timer in a connector) must not keep a
// finished command alive; the grace period lets stdout drain first.
setTimeout(() => process.exit(code), 1_000).unref();
