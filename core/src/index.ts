/**
 * @ferry/core — the engine. Knows no connector: connectors import from here, the CLI wires them together.
 * Each area has its own barrel; this file only re-exports them.
 */
export * from './contract/index.js';
export * from './errors/index.js';
export * from './util/index.js';
export * from './config/index.js';
export * from './fieldmap/index.js';
export * from './store/index.js';
export * from './http/index.js';
export * from './auth/index.js';
export * from './sandbox/index.js';
export * from './webhook/index.js';
export * from './engine/index.js';
export * from './runtime/index.js';
export * from './service/index.js';
export * from './coordination/index.js';
export * from './queue/index.js';
