import { useState } from 'react';
import type { ConnectionView, PipelineDraft, ProjectView } from '../../../shared/api-types.js';

interface SidebarProps {
  readonly project: ProjectView;
  readonly openFile: string | undefined;
  onOpen(file: string): void;
  onCreate(file: string, draft: PipelineDraft): void;
}

function ConnectionTree(props: { connection: ConnectionView }) {
  const { connection } = props;
  return (
    <details className="connection" data-connection={connection.name}>
      <summary>
        <strong>{connection.name}</strong> <span className="muted">{connection.connector}</span>
      </summary>
      {connection.description === undefined ? null : <p className="muted small">{connection.description}</p>}
      {connection.streams.length === 0 ? null : <h4>streams</h4>}
      <ul>
        {connection.streams.map((stream) => (
          <li key={stream.name} title={stream.description}>
            {stream.name} <span className="muted small">key {stream.primaryKey} · {stream.syncModes.join('/')}</span>
          </li>
        ))}
      </ul>
      {connection.actions.length === 0 ? null : <h4>actions</h4>}
      <ul>
        {connection.actions.map((action) => (
          <li key={action.name} title={action.description}>
            {action.name} <span className="muted small">{action.idempotence}</span>
          </li>
        ))}
      </ul>
      {connection.triggers.length === 0 ? null : <h4>triggers</h4>}
      <ul>
        {connection.triggers.map((trigger) => (
          <li key={trigger.name} title={trigger.description}>
            {trigger.name} <span className="muted small">{trigger.kind} → {trigger.stream}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function NewPipelineForm(props: { project: ProjectView; onCreate: SidebarProps['onCreate'] }) {
  const { project } = props;
  const sources = project.connections.flatMap((connection) => connection.streams.map((stream) => `${connection.name}/${stream.name}`));
  const targets = project.connections.flatMap((connection) => connection.actions.map((action) => `${connection.name}/${action.name}`));
  const [name, setName] = useState('');
  const [source, setSource] = useState(sources[0] ?? '');
  const [target, setTarget] = useState(targets[0] ?? '');
  const valid = /^[a-z0-9][a-z0-9-]*$/.test(name) && source !== '' && target !== '';
  return (
    <form
      className="new-pipeline"
      aria-label="New pipeline"
      onSubmit={(event) => {
        event.preventDefault();
        if (!valid) return;
        const [fromConnection = '', stream = ''] = source.split('/');
        const [toConnection = '', ...action] = target.split('/');
        props.onCreate(`${project.pipelineDir}/${name}.yaml`, {
          name,
          from: { connection: fromConnection, stream },
          to: { connection: toConnection, action: action.join('/') },
          map: {},
        });
        setName('');
      }}
    >
      <h3>New pipeline</h3>
      <label>
        name
        <input value={name} onChange={(event) => setName(event.target.value.toLowerCase())} placeholder="leads-to-crm" pattern="[a-z0-9][a-z0-9\-]*" name="new-name" />
      </label>
      <label>
        from
        <select value={source} onChange={(event) => setSource(event.target.value)} name="new-source">
          {sources.map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
      </label>
      <label>
        to
        <select value={target} onChange={(event) => setTarget(event.target.value)} name="new-target">
          {targets.map((value) => (
            <option key={value}>{value}</option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!valid}>
        Start mapping
      </button>
    </form>
  );
}

export function Sidebar(props: SidebarProps) {
  return (
    <nav className="sidebar" aria-label="Project">
      <section>
        <h3>Pipelines</h3>
        <ul className="pipelines">
          {props.project.pipelines.map((pipeline) => (
            <li key={pipeline.file}>
              <button
                type="button"
                className={pipeline.file === props.openFile ? 'pipeline current' : 'pipeline'}
                aria-current={pipeline.file === props.openFile ? 'true' : undefined}
                onClick={() => props.onOpen(pipeline.file)}
                data-pipeline-file={pipeline.file}
              >
                <strong>{pipeline.name ?? pipeline.file}</strong>
                <span className="muted small">{pipeline.problem === undefined ? `${pipeline.source ?? ''} → ${pipeline.destination ?? ''}` : pipeline.problem}</span>
              </button>
            </li>
          ))}
          {props.project.pipelines.length === 0 ? <li className="muted">none yet</li> : null}
        </ul>
      </section>
      <NewPipelineForm project={props.project} onCreate={props.onCreate} />
      <section>
        <h3>Connections</h3>
        {props.project.connections.map((connection) => (
          <ConnectionTree key={connection.name} connection={connection} />
        ))}
      </section>
    </nav>
  );
}
