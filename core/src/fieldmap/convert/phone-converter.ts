import { isPhoneCountry, toE164 } from '../../util/phone.js';
import { ConvertFailure, describeValue, fieldMapInvalid } from '../fieldmap-errors.js';
import type { ConvertContext, ConverterDefinition } from './convert-types.js';
import { describeType } from './text-converters.js';

const COUNTRY_HINT = 'use a two-letter ISO 3166 country code such as US, CA, GB or DE';

function countryCode(raw: unknown, source: string, context: ConvertContext): string {
  if (typeof raw !== 'string' || !isPhoneCountry(raw)) {
    throw fieldMapInvalid(context.field, `${source} '${describeValue(raw)}' is not a country phone numbers are known for`, COUNTRY_HINT);
  }
  return raw.toUpperCase();
}

function optionCountry(options: unknown, context: ConvertContext): unknown {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw fieldMapInvalid(context.field, 'the phone convert takes { phone: { country: XX } }', COUNTRY_HINT);
  }
  const unknownKeys = Object.keys(options).filter((key) => key !== 'country');
  if (unknownKeys.length > 0) {
    throw fieldMapInvalid(context.field, `unknown phone option '${unknownKeys[0]}'`, 'the only option is country: { phone: { country: GB } }');
  }
  return (options as { country?: unknown }).country;
}

export const phoneE164: ConverterDefinition = {
  info: {
    name: 'phone-e164',
    description:
      'Parses a phone number as written by people ("(213) 373-4253", "+44 20 7946 0958") and writes it in E.164 (+12133734253). Numbers without a country prefix are read in the given country (option, else the run default, else US). Invalid numbers fail the record.',
    input: 'string | number',
    output: 'string',
    options: '{ phone: { country: GB } }',
    examples: [
      { convert: 'phone-e164', input: '(213) 373-4253', output: '+12133734253' },
      { convert: { phone: { country: 'GB' } }, input: '020 7946 0958', output: '+442079460958' },
    ],
  },
  arrays: 'each',
  optionKey: 'phone',
  create(options, context) {
    const fromOption = optionCountry(options, context);
    const country =
      fromOption !== undefined
        ? countryCode(fromOption, 'country', context)
        : context.defaultCountry !== undefined
          ? countryCode(context.defaultCountry, 'default country', context)
          : 'US';
    return (value) => {
      let text: string;
      if (typeof value === 'string') text = value;
      else if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) text = String(value);
      else throw new ConvertFailure(value, `not a phone number (got ${describeType(value)})`, 'map the field that holds the phone number');
      const e164 = toE164(text, country);
      if (e164 === undefined) {
        throw new ConvertFailure(value, `not a phone number (read in ${country})`, `fix the number at the source, or set { phone: { country: XX } } if its numbers are not from ${country}`);
      }
      return e164;
    };
  },
};
