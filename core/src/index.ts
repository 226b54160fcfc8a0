/**
 * @ferry/core — the engine. Knows no connector: connectors import from here, the CLI wires them together.
 * Each area has its own barrel; this file only re-exports them.
 */
export * from './contract/index.js';
export * from './errors/index.js';
