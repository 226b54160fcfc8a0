import { useDroppable } from '@dnd-kit/core';
import { useState } from 'react';
import type { ConverterView, FieldView, MapEntry } from '../../../shared/api-types.js';
import { checkMapping, type Verdict } from '../../../shared/type-compat.js';
import { convertStep, convertsOf, sourcePathOf, withConverts } from '../../../shared/map-entry.js';
import { MappingEditor } from './MappingEditor.js';

interface TargetRowProps {
  readonly field: string;
  readonly view: FieldView | undefined;
  readonly entry: MapEntry | undefined;
  readonly verdict: Verdict | undefined;
  readonly picked: string | undefined;
  readonly highlighted: boolean;
  readonly converters: readonly ConverterView[];
  onAssign(field: string): void;
  onChange(field: string, entry: MapEntry | undefined): void;
}

function TargetRow(props: TargetRowProps) {
  const { field, view, entry, verdict } = props;
  const { setNodeRef, isOver } = useDroppable({ id: `target:${field}`, data: { field } });
  const classes = ['target-row', isOver ? 'over' : '', entry === undefined ? 'unmapped' : 'mapped', props.highlighted ? 'highlighted' : '', verdict === undefined ? '' : `verdict-${verdict.level}`];
  return (
    <li ref={setNodeRef} className={classes.join(' ')} data-target-field={field} id={`target-${field}`}>
      <div className="target-head">
        <button
          type="button"
          className="target-name"
          data-drop-target={field}
          aria-label={props.picked === undefined ? `destination field ${field}${view?.required === true ? ', required' : ''}` : `map ${props.picked} to ${field}`}
          onClick={() => props.onAssign(field)}
        >
          {field}
          {view?.required === true ? (
            <abbr className="required" title="required">
              *
            </abbr>
          ) : null}
        </button>
        <span className="type">{view === undefined ? 'any type' : `${view.types.join('|')}${view.items === undefined ? '' : ` of ${view.items.join('|')}`}`}</span>
        {view?.description === undefined ? null : <span className="muted small description">{view.description}</span>}
        {verdict !== undefined && verdict.level !== 'ok' ? (
          <span className={`verdict ${verdict.level}`} role="status" data-verdict={verdict.level}>
            {verdict.level === 'mismatch' ? 'type mismatch: ' : 'check: '}
            {verdict.message}
          </span>
        ) : null}
        {verdict?.suggest !== undefined && entry !== undefined && sourcePathOf(entry) !== undefined ? (
          <button type="button" className="small suggest" onClick={() => props.onChange(field, withConverts(entry, [...convertsOf(entry), convertStep(verdict.suggest ?? '')]))}>
            convert with {verdict.suggest}
          </button>
        ) : null}
        {entry === undefined ? null : (
          <button type="button" className="icon remove" aria-label={`remove the mapping of ${field}`} onClick={() => props.onChange(field, undefined)}>
            ×
          </button>
        )}
      </div>
      {entry === undefined ? (
        <>
          <div className="drop-hint muted small">{props.picked === undefined ? 'drop a source field here, or' : `press Enter on the name to map ${props.picked} here, or`}</div>
          <button type="button" className="small" aria-label={`give ${field} a constant`} data-set-const={field} onClick={() => props.onChange(field, { const: '' })}>
            constant
          </button>
          <button type="button" className="small" aria-label={`give ${field} an expression`} data-set-expr={field} onClick={() => props.onChange(field, { expr: '' })}>
            expression
          </button>
        </>
      ) : (
        <MappingEditor field={field} entry={entry} converters={props.converters} onChange={(next) => props.onChange(field, next)} />
      )}
    </li>
  );
}

interface TargetPanelProps {
  readonly action: string;
  readonly fields: readonly FieldView[];
  readonly open: boolean;
  readonly map: Readonly<Record<string, MapEntry>>;
  readonly extra: readonly string[];
  readonly sourceFields: readonly FieldView[];
  readonly converters: readonly ConverterView[];
  readonly picked: string | undefined;
  readonly highlighted: string | undefined;
  onAssign(field: string): void;
  onChange(field: string, entry: MapEntry | undefined): void;
  onAddField(field: string): void;
}

/** The destination action's fields (required ones marked), each a drop target with its mapping. */
export function TargetPanel(props: TargetPanelProps) {
  const [newField, setNewField] = useState('');
  const known = new Map(props.fields.map((field) => [field.path, field]));
  // Mapped fields first (in the file's order), then the rest in the schema's order, then fields added here.
  const names = Object.keys(props.map);
  for (const field of [...props.fields.map((view) => view.path), ...props.extra]) if (!names.includes(field)) names.push(field);
  const sources = new Map(props.sourceFields.map((field) => [field.path, field]));
  const mapped = Object.keys(props.map).length;
  const required = props.fields.filter((field) => field.required);
  const missing = required.filter((field) => props.map[field.path] === undefined);
  return (
    <section className="panel target-panel" aria-labelledby="target-heading">
      <div className="panel-head">
        <h2 id="target-heading">Destination: {props.action}</h2>
        <span className="muted small">
          {mapped} mapped{required.length === 0 ? '' : ` · ${required.length - missing.length}/${required.length} required`}
        </span>
      </div>
      {missing.length === 0 ? null : <p className="warning small">required and not mapped: {missing.map((field) => field.path).join(', ')}</p>}
      <ul className="target-fields">
        {names.map((field) => {
          const entry = props.map[field];
          const view = known.get(field);
          const path = entry === undefined ? undefined : sourcePathOf(entry);
          return (
            <TargetRow
              key={field}
              field={field}
              view={view}
              entry={entry}
              verdict={entry === undefined ? undefined : checkMapping(entry, path === undefined ? undefined : sources.get(path), view, props.converters)}
              picked={props.picked}
              highlighted={props.highlighted === field}
              converters={props.converters}
              onAssign={props.onAssign}
              onChange={props.onChange}
            />
          );
        })}
      </ul>
      {props.open ? (
        <form
          className="add-field"
          onSubmit={(event) => {
            event.preventDefault();
            const name = newField.trim();
            if (name === '') return;
            props.onAddField(name);
            setNewField('');
          }}
        >
          <label>
            add a destination field
            <input name="new-target-field" value={newField} onChange={(event) => setNewField(event.target.value)} placeholder="field name (dots nest: address.city)" />
          </label>
          <button type="submit" className="small">
            Add
          </button>
        </form>
      ) : null}
    </section>
  );
}
