import type { PipelineDraft, ProjectView } from '../../../shared/api-types.js';
import { formatConstant, parseConstant } from '../../../shared/map-entry.js';

interface PipelineBarProps {
  readonly project: ProjectView;
  readonly file: string;
  readonly isNew: boolean;
  readonly draft: PipelineDraft;
  readonly dirty: boolean;
  readonly saving: boolean;
  onChange(draft: PipelineDraft): void;
  onSave(): void;
}

/** Name, source, destination and filter of the pipeline: everything around the field map. */
export function PipelineBar(props: PipelineBarProps) {
  const { draft, project } = props;
  const sources = project.connections.flatMap((connection) => connection.streams.map((stream) => `${connection.name}/${stream.name}`));
  const targets = project.connections.flatMap((connection) => connection.actions.map((action) => `${connection.name}/${action.name}`));
  const source = `${draft.from.connection}/${draft.from.stream}`;
  const target = `${draft.to.connection}/${draft.to.action}`;
  const stream = project.connections.find((c) => c.name === draft.from.connection)?.streams.find((s) => s.name === draft.from.stream);
  const action = project.connections.find((c) => c.name === draft.to.connection)?.actions.find((a) => a.name === draft.to.action);
  const options = action?.options ?? [];
  const withValues = draft.to.with ?? {};
  const setWith = (key: string, text: string): void => {
    const next: Record<string, unknown> = { ...withValues };
    if (text.trim() === '') delete next[key];
    else next[key] = parseConstant(text);
    const { with: _dropped, ...to } = draft.to;
    props.onChange({ ...draft, to: Object.keys(next).length === 0 ? to : { ...to, with: next } });
  };
  return (
    <header className="pipeline-bar" aria-label="Pipeline">
      <div className="row">
        <label>
          name
          <input name="pipeline-name" value={draft.name} onChange={(event) => props.onChange({ ...draft, name: event.target.value })} />
        </label>
        <label className="grow">
          description
          <input
            name="pipeline-description"
            value={draft.description ?? ''}
            onChange={(event) => {
              const { description: _dropped, ...rest } = draft;
              props.onChange(event.target.value === '' ? rest : { ...rest, description: event.target.value });
            }}
          />
        </label>
        <div className="file">
          <span className="muted small">{props.isNew ? 'new file' : 'file'}</span>
          <code data-testid="pipeline-file">{props.file}</code>
        </div>
        <button type="button" className="primary" onClick={props.onSave} disabled={props.saving} data-testid="save">
          {props.saving ? 'Saving…' : props.dirty || props.isNew ? 'Save' : 'Saved'}
        </button>
      </div>
      <div className="row">
        <label>
          from
          <select
            name="pipeline-source"
            value={source}
            onChange={(event) => {
              const [connection = '', stream = ''] = event.target.value.split('/');
              props.onChange({ ...draft, from: { connection, stream } });
            }}
          >
            {sources.includes(source) ? null : <option value={source}>{source}</option>}
            {sources.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          sync
          <select
            name="pipeline-sync"
            value={draft.from.sync ?? ''}
            onChange={(event) => {
              const { sync: _dropped, ...from } = draft.from;
              const value = event.target.value;
              props.onChange({ ...draft, from: value === 'full' || value === 'incremental' ? { ...from, sync: value } : from });
            }}
          >
            <option value="">default</option>
            {(stream?.syncModes ?? ['full', 'incremental']).map((mode) => (
              <option key={mode}>{mode}</option>
            ))}
          </select>
        </label>
        <label className="grow" title="JSONata over the source record; records for which it is false are skipped">
          where
          <input
            name="pipeline-where"
            value={draft.where ?? ''}
            placeholder="e.g. status != 'unsubscribed'"
            onChange={(event) => {
              const { where: _dropped, ...rest } = draft;
              props.onChange(event.target.value === '' ? rest : { ...rest, where: event.target.value });
            }}
          />
        </label>
        <label>
          to
          <select
            name="pipeline-target"
            value={target}
            onChange={(event) => {
              const [connection = '', ...rest] = event.target.value.split('/');
              props.onChange({ ...draft, to: { connection, action: rest.join('/') } });
            }}
          >
            {targets.includes(target) ? null : <option value={target}>{target}</option>}
            {targets.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
        <label>
          match
          <input
            name="pipeline-match"
            value={(draft.to.match ?? []).join(', ')}
            placeholder="email, phone"
            onChange={(event) => {
              const match = event.target.value.split(',').map((part) => part.trim()).filter((part) => part !== '');
              const { match: _dropped, ...to } = draft.to;
              props.onChange({ ...draft, to: match.length === 0 ? to : { ...to, match } });
            }}
          />
        </label>
        {options.map((option) => (
          <label key={option.path} title={option.description}>
            with.{option.path}
            <input
              name={`pipeline-with-${option.path}`}
              defaultValue={withValues[option.path] === undefined ? '' : formatConstant(withValues[option.path])}
              onBlur={(event) => setWith(option.path, event.target.value)}
            />
          </label>
        ))}
      </div>
    </header>
  );
}
