export { compileFieldMap, type CompiledFieldMap, type FieldMapOptions, type SourcePath } from './compile-field-map.js';
export { compileWhere, type CompiledPredicate, type WhereOptions } from './where/compile-where.js';
export { compilePath, parsePath, formatPath, type PathSegment } from './path.js';
export { converters } from './convert/catalogue.js';
export type { ConvertName, ConverterInfo, ConverterExample } from './convert/convert-types.js';
export { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './expression/expression-limits.js';
export type { FieldMapErrorCode } from './fieldmap-errors.js';
