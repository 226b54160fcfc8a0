export { createContextFactory, type ContextFactory, type ContextFactoryOptions } from './context-factory.js';
export { resolveTokenUrl } from './token-url.js';
export { tokenEnvName } from './connection-token.js';
