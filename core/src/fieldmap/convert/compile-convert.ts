import { didYouMeanSuffix } from '../../util/did-you-mean.js';
import { fieldMapInvalid } from '../fieldmap-errors.js';
import { isMissing } from '../missing.js';
import { CONVERTER_DEFINITIONS, isConvertName, OPTION_KEYS } from './catalogue.js';
import type { ConvertContext, ConverterDefinition, ConvertStep } from './convert-types.js';
import { describeType } from './text-converters.js';

const NAMES = Object.keys(CONVERTER_DEFINITIONS);
const CONVERT_HINT = `converts: ${NAMES.join(', ')}; chain them as a list: convert: [trim, lowercase]`;

/** Element-wise over a list, leaving out missing elements; whole-value converts see the list itself. */
function overArrays(definition: ConverterDefinition, step: ConvertStep): ConvertStep {
  if (definition.arrays === 'whole') return step;
  return (value) => {
    if (!Array.isArray(value)) return step(value);
    const out: unknown[] = [];
    for (const item of value) {
      if (isMissing(item)) continue;
      out.push(step(item));
    }
    return out;
  };
}

function definitionNamed(name: string, context: ConvertContext): ConverterDefinition {
  const resolved = isConvertName(name) ? name : OPTION_KEYS.get(name);
  if (resolved === undefined) {
    throw fieldMapInvalid(context.field, `unknown convert '${name}'${didYouMeanSuffix(name, NAMES)}`, CONVERT_HINT);
  }
  return CONVERTER_DEFINITIONS[resolved];
}

function compileOne(spec: unknown, context: ConvertContext): ConvertStep {
  if (typeof spec === 'string') {
    const definition = definitionNamed(spec, context);
    return overArrays(definition, definition.create(undefined, context));
  }
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const keys = Object.keys(spec);
    const key = keys[0];
    if (keys.length === 1 && key !== undefined) {
      const definition = definitionNamed(key, context);
      if (definition.optionKey === undefined) {
        throw fieldMapInvalid(context.field, `convert '${key}' takes no options`, `write it as the bare name: convert: ${key}`);
      }
      return overArrays(definition, definition.create((spec as Record<string, unknown>)[key], context));
    }
    throw fieldMapInvalid(context.field, `a convert with options has exactly one key (its name), got ${keys.length === 0 ? 'none' : keys.join(', ')}`, CONVERT_HINT);
  }
  throw fieldMapInvalid(context.field, `a convert is a name or { name: options }, got ${describeType(spec)}`, CONVERT_HINT);
}

/**
 * Compiles `convert:` (one step or a list) into one function. A step whose result is missing ('' after trim)
 * ends the chain, so the field takes its default rather than failing in the next step.
 * @throws FerryError FIELDMAP_INVALID
 */
export function compileConvert(spec: unknown, context: ConvertContext): ConvertStep {
  const list: readonly unknown[] = Array.isArray(spec) ? spec : [spec];
  if (list.length === 0) throw fieldMapInvalid(context.field, 'convert is an empty list', CONVERT_HINT);
  const steps = list.map((one) => compileOne(one, context));
  const [first] = steps;
  if (steps.length === 1 && first !== undefined) return first;
  const count = steps.length;
  return (value) => {
    let current = value;
    for (let i = 0; i < count; i++) {
      current = (steps[i] as ConvertStep)(current);
      if (isMissing(current)) return current;
    }
    return current;
  };
}
