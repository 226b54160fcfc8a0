import { useRef, useState } from 'react';
import type { ConverterView, ConvertStep, MapEntry } from '../../../shared/api-types.js';
import {
  convertOption,
  convertStep,
  convertsOf,
  defaultOf,
  entryKind,
  formatConstant,
  parseConstant,
  sourcePathOf,
  withConverts,
  withDefault,
  withSourcePath,
} from '../../../shared/map-entry.js';
import { convertName } from '../../../shared/type-compat.js';

interface MappingEditorProps {
  readonly field: string;
  readonly entry: MapEntry;
  readonly converters: readonly ConverterView[];
  onChange(entry: MapEntry): void;
}

const OPTION_PLACEHOLDER: Readonly<Record<string, string>> = {
  'phone-e164': 'country (US)',
  split: 'separator',
  join: 'separator',
  date: 'format (ISO)',
};

/**
 * Adds a convert step. A pick with the mouse adds it at once; by keyboard, arrows and type-ahead only choose
 * (each key would otherwise add a step) and Enter or the Add button adds it.
 */
function AddConvert(props: { field: string; converters: readonly ConverterView[]; onAdd(name: string): void }) {
  const [pending, setPending] = useState('');
  const byPointer = useRef(false);
  const add = (name: string): void => {
    if (name === '') return;
    props.onAdd(name);
    setPending('');
  };
  return (
    <span className="add-convert">
      <select
        aria-label={`add a convert to ${props.field}`}
        data-add-convert={props.field}
        value={pending}
        onPointerDown={() => {
          byPointer.current = true;
        }}
        onKeyDown={(event) => {
          byPointer.current = false;
          if (event.key === 'Enter') {
            event.preventDefault();
            add(pending);
          }
        }}
        onChange={(event) => {
          if (byPointer.current) add(event.target.value);
          else setPending(event.target.value);
        }}
      >
        <option value="">+ convert</option>
        {props.converters.map((converter) => (
          <option key={converter.name} value={converter.name} title={`${converter.description} (${converter.input} → ${converter.output})`}>
            {converter.name}
          </option>
        ))}
      </select>
      {pending === '' ? null : (
        <button type="button" className="small" data-add-convert-button={props.field} onClick={() => add(pending)}>
          add {pending}
        </button>
      )}
    </span>
  );
}

/** One mapping: where the value comes from (a path, a constant, an expression) and its converts and default. */
export function MappingEditor(props: MappingEditorProps) {
  const { entry, field } = props;
  const kind = entryKind(entry);
  const converts = convertsOf(entry);
  const setConverts = (steps: readonly ConvertStep[]): void => props.onChange(withConverts(entry, steps));
  const fallback = defaultOf(entry);
  return (
    <div className="mapping-editor">
      <select
        aria-label={`how ${field} gets its value`}
        name={`kind-${field}`}
        value={kind}
        onChange={(event) => {
          const next = event.target.value;
          if (next === 'path') props.onChange(sourcePathOf(entry) ?? '');
          else if (next === 'const') props.onChange({ const: '' });
          else props.onChange({ expr: kind === 'path' ? (sourcePathOf(entry) ?? '') : '' });
        }}
      >
        <option value="path">source field</option>
        <option value="const">constant</option>
        <option value="expr">expression</option>
      </select>
      {kind === 'path' ? (
        <>
          <input aria-label={`source path for ${field}`} className="path-input" value={sourcePathOf(entry) ?? ''} onChange={(event) => props.onChange(withSourcePath(entry, event.target.value))} />
          {converts.map((step, index) => {
            const name = convertName(step);
            const placeholder = OPTION_PLACEHOLDER[name];
            return (
              <span className="convert" key={`${name}-${index}`}>
                <span className="arrow">→</span>
                <select
                  aria-label={`convert ${index + 1} of ${field}`}
                  value={name}
                  onChange={(event) => setConverts(converts.map((current, at) => (at === index ? convertStep(event.target.value) : current)))}
                >
                  {props.converters.map((converter) => (
                    <option key={converter.name} value={converter.name} title={converter.description}>
                      {converter.name}
                    </option>
                  ))}
                </select>
                {placeholder === undefined ? null : (
                  <input
                    aria-label={`${name} option of ${field}`}
                    className="option-input"
                    placeholder={placeholder}
                    value={convertOption(step)}
                    onChange={(event) => setConverts(converts.map((current, at) => (at === index ? convertStep(name, event.target.value) : current)))}
                  />
                )}
                <button type="button" className="icon" aria-label={`remove convert ${name} of ${field}`} onClick={() => setConverts(converts.filter((_, at) => at !== index))}>
                  ×
                </button>
              </span>
            );
          })}
          <AddConvert field={field} converters={props.converters} onAdd={(name) => setConverts([...converts, convertStep(name)])} />
        </>
      ) : null}
      {kind === 'const' && typeof entry !== 'string' && 'const' in entry ? (
        <input
          aria-label={`constant value of ${field}`}
          className="grow"
          placeholder='text, or JSON: 42, true, ["a"]'
          value={formatConstant(entry.const)}
          onChange={(event) => props.onChange({ const: parseConstant(event.target.value) })}
        />
      ) : null}
      {kind === 'expr' && typeof entry !== 'string' && 'expr' in entry ? (
        <textarea
          aria-label={`JSONata expression of ${field}`}
          className="grow"
          rows={1}
          placeholder="$trim(first_name) & ' ' & $trim(last_name)"
          value={entry.expr}
          onChange={(event) => props.onChange(fallback === undefined ? { expr: event.target.value } : { expr: event.target.value, default: fallback })}
        />
      ) : null}
      {kind === 'const' ? null : (
        <input
          aria-label={`default of ${field}`}
          className="default-input"
          placeholder="default"
          value={fallback === undefined ? '' : formatConstant(fallback)}
          onChange={(event) => props.onChange(withDefault(entry, event.target.value === '' ? undefined : parseConstant(event.target.value)))}
        />
      )}
    </div>
  );
}
