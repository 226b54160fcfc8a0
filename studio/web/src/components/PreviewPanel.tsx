import { Fragment, useState } from 'react';
import type { PreviewResponse, PreviewRow } from '../../../shared/api-types.js';
import { formatValue } from '../format.js';

const OUTCOME_LABEL: Readonly<Record<string, string>> = {
  create: '+ create',
  update: '~ update',
  unchanged: '= unchanged',
  skip: '- skip',
  error: '! fail',
};

function Cell(props: { row: PreviewRow; field: string }) {
  const result = props.row.fields[props.field];
  if (result === undefined) return <td data-preview-cell={props.field} />;
  if ('error' in result) {
    return (
      <td className="cell-error" title={result.error} data-preview-cell={props.field}>
        ⚠ {formatValue(result.error, 40)}
      </td>
    );
  }
  if ('missing' in result) {
    return (
      <td className="muted" data-preview-cell={props.field}>
        left out
      </td>
    );
  }
  return (
    <td title={JSON.stringify(result.value)} data-preview-cell={props.field} data-value={JSON.stringify(result.value)}>
      {formatValue(result.value, 40)}
    </td>
  );
}

function Details(props: { row: PreviewRow; columns: number }) {
  const { row } = props;
  return (
    <tr className="details">
      <td colSpan={props.columns}>
        {row.error === undefined ? null : (
          <p className="cell-error">
            {row.error.message}
            {row.error.hint === undefined ? null : <span className="hint"> — {row.error.hint}</span>}
          </p>
        )}
        {row.diff.length === 0 ? null : (
          <ul className="diff">
            {row.diff.map((change) => (
              <li key={change.field}>
                <code>{change.field}</code>: {formatValue(change.before, 80)} → {formatValue(change.after, 80)}
              </li>
            ))}
          </ul>
        )}
        <div className="json-pair">
          <div>
            <h4>source record</h4>
            <pre>{JSON.stringify(row.source, null, 2)}</pre>
          </div>
          <div>
            <h4>what the destination receives</h4>
            <pre>{row.mapped === undefined ? '(the map does not apply yet)' : JSON.stringify(row.mapped, null, 2)}</pre>
          </div>
        </div>
      </td>
    </tr>
  );
}

interface PreviewPanelProps {
  readonly preview: PreviewResponse | undefined;
  readonly fields: readonly string[];
  readonly busy: boolean;
}

/** The first records of the source, mapped, and what a run would do to each (the engine's dry run). */
export function PreviewPanel(props: PreviewPanelProps) {
  const [open, setOpen] = useState<number | undefined>(undefined);
  const [tab, setTab] = useState<'records' | 'yaml'>('records');
  const { preview } = props;
  const counts = new Map<string, number>();
  for (const row of preview?.rows ?? []) if (row.outcome !== undefined) counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
  return (
    <section className="panel preview-panel" aria-labelledby="preview-heading" aria-busy={props.busy}>
      <div className="panel-head">
        <h2 id="preview-heading">Preview</h2>
        <div role="tablist" aria-label="Preview views">
          <button type="button" role="tab" aria-selected={tab === 'records'} onClick={() => setTab('records')}>
            records
          </button>
          <button type="button" role="tab" aria-selected={tab === 'yaml'} onClick={() => setTab('yaml')}>
            YAML
          </button>
        </div>
        <span className="muted small" data-testid="plan-counts">
          {props.busy ? 'updating…' : [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(' · ')}
        </span>
      </div>
      {preview?.sourceError === undefined ? null : (
        <p className="cell-error">
          {preview.sourceError.message}
          {preview.sourceError.hint === undefined ? null : <span className="hint"> — {preview.sourceError.hint}</span>}
        </p>
      )}
      {tab === 'yaml' ? (
        <pre className="yaml" data-testid="yaml-preview">
          {preview?.text ?? ''}
        </pre>
      ) : (
        <div className="table-wrap">
          <table data-testid="preview-table">
            <thead>
              <tr>
                <th>run would</th>
                <th>id</th>
                {props.fields.map((field) => (
                  <th key={field} data-preview-column={field}>
                    {field}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {(preview?.rows ?? []).map((row, index) => (
                <Fragment key={`${row.sourceId ?? ''}-${index}`}>
                  <tr className={`outcome-${row.outcome ?? 'none'}`} data-preview-row={index}>
                    <td>
                      <button type="button" className="link" aria-expanded={open === index} onClick={() => setOpen(open === index ? undefined : index)}>
                        {row.outcome === undefined ? 'details' : (OUTCOME_LABEL[row.outcome] ?? row.outcome)}
                      </button>
                    </td>
                    <td>{row.sourceId ?? '—'}</td>
                    {props.fields.map((field) => (
                      <Cell key={field} row={row} field={field} />
                    ))}
                  </tr>
                  {open === index ? <Details row={row} columns={props.fields.length + 2} /> : null}
                </Fragment>
              ))}
            </tbody>
          </table>
          {preview !== undefined && preview.rows.length === 0 && preview.sourceError === undefined ? <p className="muted">the source has no records</p> : null}
        </div>
      )}
    </section>
  );
}
