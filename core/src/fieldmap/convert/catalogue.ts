import type { ConverterDefinition, ConverterInfo, ConvertName } from './convert-types.js';
import { date } from './date-converter.js';
import { boolean, integer, number } from './number-converters.js';
import { phoneE164 } from './phone-converter.js';
import { email, join, lowercase, split, string, trim, uppercase } from './text-converters.js';

export const CONVERTER_DEFINITIONS: Readonly<Record<ConvertName, ConverterDefinition>> = {
  'phone-e164': phoneE164,
  email,
  lowercase,
  uppercase,
  trim,
  string,
  number,
  integer,
  boolean,
  date,
  split,
  join,
};

/** Every convert name with what it does and the value types it takes and gives (the studio lists these). */
export const converters: Readonly<Record<ConvertName, ConverterInfo>> = Object.freeze(
  Object.fromEntries(Object.entries(CONVERTER_DEFINITIONS).map(([name, definition]) => [name, definition.info])) as Record<ConvertName, ConverterInfo>,
);

/** Option keys of the object forms (`{ phone: {...} }`) → convert name. */
export const OPTION_KEYS: ReadonlyMap<string, ConvertName> = new Map(
  Object.values(CONVERTER_DEFINITIONS).flatMap((definition) => (definition.optionKey === undefined ? [] : [[definition.optionKey, definition.info.name] as const])),
);

export function isConvertName(name: string): name is ConvertName {
  return Object.hasOwn(CONVERTER_DEFINITIONS, name);
}
