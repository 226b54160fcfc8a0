import { useDraggable } from '@dnd-kit/core';
import type { FieldView, PartitionOption } from '../../../shared/api-types.js';
import { formatValue, valueAtPath } from '../format.js';

interface SourceFieldProps {
  readonly field: FieldView;
  readonly sample: unknown;
  readonly picked: boolean;
  readonly used: boolean;
  onPick(path: string): void;
}

function SourceField(props: SourceFieldProps) {
  const { field } = props;
  const { setNodeRef, listeners, isDragging } = useDraggable({ id: `source:${field.path}`, data: { path: field.path } });
  return (
    <li>
      <button
        type="button"
        ref={setNodeRef}
        {...listeners}
        className={['source-field', props.picked ? 'picked' : '', isDragging ? 'dragging' : '', props.used ? 'used' : ''].join(' ')}
        aria-pressed={props.picked}
        aria-label={`source field ${field.path}, ${field.types.join(' or ')}${props.picked ? ', picked' : ''}`}
        data-source-field={field.path}
        title={field.description ?? `${field.path} (${field.origin === 'sample' ? 'seen in the records' : 'from the stream schema'})`}
        onClick={() => props.onPick(field.path)}
      >
        <span className="path">{field.path}</span>
        <span className="type">{field.types.join('|')}{field.items === undefined ? '' : `[${field.items.join('|')}]`}</span>
        <span className="sample">{formatValue(props.sample, 32)}</span>
      </button>
    </li>
  );
}

interface SourcePanelProps {
  readonly fields: readonly FieldView[];
  readonly record: Record<string, unknown> | undefined;
  readonly picked: string | undefined;
  readonly used: ReadonlySet<string>;
  readonly loading: boolean;
  /** The source connection's partitions (GHL locations), when it is partitioned. */
  readonly partitions: readonly PartitionOption[] | undefined;
  /** The partition the sample is read in. */
  readonly partition: string | undefined;
  onPick(path: string): void;
  onRefresh(): void;
  onPartition(id: string): void;
}

/** Which partition the sample (and so the preview) is read in: the records of one location at a time. */
function PartitionPicker(props: { partitions: readonly PartitionOption[]; partition: string | undefined; disabled: boolean; onPartition(id: string): void }) {
  return (
    <label className="partition-picker" title="the sample and the preview read the records of this partition, as its run would">
      Location
      <select name="source-partition" value={props.partition ?? ''} disabled={props.disabled} onChange={(event) => props.onPartition(event.target.value)}>
        {props.partitions.map((partition) => (
          <option key={partition.id} value={partition.id}>
            {partition.label === undefined ? partition.id : `${partition.label} (${partition.id})`}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The source stream's fields: drag one onto a destination field, or pick it (Enter) and then pick the target. */
export function SourcePanel(props: SourcePanelProps) {
  return (
    <section className="panel source-panel" aria-labelledby="source-heading">
      <div className="panel-head">
        <h2 id="source-heading">Source fields</h2>
        <button type="button" className="small" onClick={props.onRefresh} disabled={props.loading} title="read the first records again">
          {props.loading ? 'reading…' : 'reload sample'}
        </button>
      </div>
      {props.partitions === undefined ? null : (
        <PartitionPicker partitions={props.partitions} partition={props.partition} disabled={props.loading} onPartition={props.onPartition} />
      )}
      <p className="muted small">Drag a field onto a destination field — or press Enter on it, then Enter on the destination.</p>
      <ul className="source-fields">
        {props.fields.map((field) => (
          <SourceField
            key={field.path}
            field={field}
            sample={props.record === undefined ? undefined : valueAtPath(props.record, field.path)}
            picked={props.picked === field.path}
            used={props.used.has(field.path)}
            onPick={props.onPick}
          />
        ))}
        {props.fields.length === 0 ? <li className="muted">no fields known yet</li> : null}
      </ul>
    </section>
  );
}
