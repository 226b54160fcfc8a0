/**
 * @ferry/studio — the mapping studio's server: `startStudio` serves the built web app and its JSON API on
 * 127.0.0.1 behind a one-time token; `ferry studio` starts it.
 */
export { startStudio, type StudioServer, type StudioServerOptions } from './studio-server.js';
export { StudioService, SaveRejected, type StudioServiceOptions } from './studio-service.js';
export { resolvePipelinePath } from './project-path.js';
export { renderPipeline, readPipelineText, draftOfValue } from './pipeline-document.js';
export { fieldsOfSchema, fieldsOfRecords, mergeFields } from './schema-fields.js';
export { DEFAULT_STATIC_DIR } from './static-files.js';
export { openInBrowser } from './open-browser.js';
export type * from '../shared/api-types.js';
