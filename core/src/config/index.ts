export {
  ConfigError,
  displayPath,
  isConfigError,
  type ConfigErrorCode,
  type ConfigErrorOptions,
} from './config-error.js';
export { createConnectorRegistry, type ConnectorRegistry } from './connector-registry.js';
export type { Environment } from './env-references.js';
export {
  DEFAULT_LOG_LEVEL,
  DEFAULT_SERVE,
  DEFAULT_STORE,
  PROJECT_FILE_NAMES,
  findProjectFile,
  loadProject,
  parseProject,
  type ProjectLoadOptions,
} from './project-loader.js';
export { loadPipeline, loadPipelines, parsePipeline, type PipelineLoadOptions } from './pipeline-loader.js';
export { DEFAULT_PIPELINE_PATTERNS } from './pipeline-files.js';
export { configSchemaPath, type ConfigFileKind } from './schema-validators.js';
export { parseYamlSource, type NodeLocation, type YamlSource } from './yaml-source.js';
