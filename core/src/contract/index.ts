export * from './connector.js';
export type * from './context.js';
export type * from './http.js';
export type * from './json-schema.js';
export type * from './logger.js';
export type * from './pipeline.js';
export type * from './sandbox.js';
export type * from './store.js';
