import { DndContext, PointerSensor, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FieldsResponse, MapEntry, PipelineDraft, PreviewResponse, Problem, ProjectView, SampleResponse } from '../../shared/api-types.js';
import { sourcePathOf, withSourcePath } from '../../shared/map-entry.js';
import { api, ApiError } from './api.js';
import { PipelineBar } from './components/PipelineBar.js';
import { PreviewPanel } from './components/PreviewPanel.js';
import { ProblemList } from './components/ProblemList.js';
import { Sidebar } from './components/Sidebar.js';
import { SourcePanel } from './components/SourcePanel.js';
import { TargetPanel } from './components/TargetPanel.js';

interface Editing {
  readonly file: string;
  /** Hash of the file as opened or last saved; undefined for a file not written yet. */
  readonly hash: string | undefined;
  readonly draft: PipelineDraft;
  readonly dirty: boolean;
}

type Status = { readonly kind: 'info' | 'error' | 'success'; readonly text: string; readonly hint?: string | undefined };

const PREVIEW_DELAY_MS = 300;

function errorStatus(error: unknown): Status {
  if (error instanceof ApiError) return { kind: 'error', text: error.message, hint: error.hint };
  return { kind: 'error', text: error instanceof Error ? error.message : String(error) };
}

export function App() {
  const [project, setProject] = useState<ProjectView | undefined>(undefined);
  const [editing, setEditing] = useState<Editing | undefined>(undefined);
  const [fields, setFields] = useState<FieldsResponse | undefined>(undefined);
  const [sample, setSample] = useState<SampleResponse | undefined>(undefined);
  const [sampleLoading, setSampleLoading] = useState(false);
  const [preview, setPreview] = useState<PreviewResponse | undefined>(undefined);
  const [previewBusy, setPreviewBusy] = useState(false);
  const [saveProblems, setSaveProblems] = useState<readonly Problem[]>([]);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [extra, setExtra] = useState<readonly string[]>([]);
  const [highlighted, setHighlighted] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<Status | undefined>(undefined);
  const [announcement, setAnnouncement] = useState('');
  const [saving, setSaving] = useState(false);

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }));

  const loadProject = useCallback(async (): Promise<ProjectView | undefined> => {
    try {
      const view = await api.project();
      setProject(view);
      return view;
    } catch (error) {
      setStatus(errorStatus(error));
      return undefined;
    }
  }, []);

  useEffect(() => {
    void loadProject().then((view) => {
      const first = view?.pipelines.find((pipeline) => pipeline.problem === undefined) ?? view?.pipelines[0];
      if (first !== undefined) void openFile(first.file);
    });
  }, []);

  const openFile = async (file: string): Promise<void> => {
    try {
      const opened = await api.open(file);
      setEditing({ file: opened.file, hash: opened.hash, draft: opened.draft, dirty: false });
      setPreview(undefined);
      setExtra([]);
      setSaveProblems(opened.problems);
      setPicked(undefined);
      setStatus(opened.problems.length === 0 ? { kind: 'info', text: `opened ${opened.file}` } : { kind: 'error', text: `${opened.file} has problems (listed below)` });
    } catch (error) {
      setStatus(errorStatus(error));
    }
  };

  const draft = editing?.draft;
  const fromKey = draft === undefined ? '' : `${draft.from.connection}/${draft.from.stream}`;
  const toKey = draft === undefined ? '' : `${draft.to.connection}/${draft.to.action}`;
  // The partition picked for a partitioned source; another source starts again from its first partition.
  const [partitionChoice, setPartitionChoice] = useState<{ readonly source: string; readonly partition: string } | undefined>(undefined);
  const partition = partitionChoice?.source === fromKey ? partitionChoice.partition : undefined;

  // Fields of the source stream and the destination action, whenever either changes.
  useEffect(() => {
    if (draft === undefined) return;
    let current = true;
    api
      .fields(draft.from, draft.to)
      .then((response) => current && setFields(response))
      .catch((error: unknown) => current && setStatus(errorStatus(error)));
    return () => {
      current = false;
    };
  }, [fromKey, toKey]);

  const loadSample = useCallback(
    (refresh: boolean) => {
      if (draft === undefined) return;
      setSampleLoading(true);
      api
        .sample({
          connection: draft.from.connection,
          stream: draft.from.stream,
          ...(draft.from.params === undefined ? {} : { params: draft.from.params }),
          ...(partition === undefined ? {} : { partition }),
          refresh,
        })
        .then((response) => {
          setSample(response);
          // The picked partition is gone (the locations changed): say so, and read the first one instead.
          if (response.error?.code === 'STUDIO_UNKNOWN_PARTITION' && partition !== undefined) {
            setStatus({ kind: 'error', text: response.error.message, hint: response.error.hint });
            setPartitionChoice(undefined);
          }
        })
        .catch((error: unknown) => setStatus(errorStatus(error)))
        .finally(() => setSampleLoading(false));
    },
    [fromKey, partition],
  );
  useEffect(() => loadSample(false), [loadSample]);

  // The live preview: the draft mapped over the sample and planned by the engine, shortly after each edit.
  useEffect(() => {
    if (editing === undefined) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setPreviewBusy(true);
      api
        .preview({ file: editing.file, draft: editing.draft, refresh: false, ...(partition === undefined ? {} : { partition }) }, controller.signal)
        .then((response) => {
          setPreview(response);
          setPreviewBusy(false);
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setPreviewBusy(false);
          setStatus(errorStatus(error));
        });
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [editing, sample, partition]);

  const sourceFields = sample?.fields ?? fields?.source ?? [];
  const used = useMemo(() => new Set(Object.values(draft?.map ?? {}).flatMap((entry) => sourcePathOf(entry) ?? [])), [draft]);

  const updateDraft = (next: PipelineDraft): void => {
    setEditing((current) => (current === undefined ? current : { ...current, draft: next, dirty: true }));
  };

  const setEntry = (field: string, entry: MapEntry | undefined): void => {
    if (draft === undefined) return;
    const map: Record<string, MapEntry> = { ...draft.map };
    if (entry === undefined) delete map[field];
    else map[field] = entry;
    updateDraft({ ...draft, map });
  };

  const assign = (path: string, field: string): void => {
    if (draft === undefined) return;
    setEntry(field, withSourcePath(draft.map[field], path));
    setPicked(undefined);
    setAnnouncement(`mapped ${path} to ${field}`);
  };

  const onPick = (path: string): void => {
    if (picked === path) {
      setPicked(undefined);
      setAnnouncement(`${path} put back`);
      return;
    }
    setPicked(path);
    setAnnouncement(`picked ${path}: now press Enter on a destination field`);
  };

  const onAssignTarget = (field: string): void => {
    if (picked !== undefined) assign(picked, field);
    else document.querySelector<HTMLInputElement>(`[data-target-field="${CSS.escape(field)}"] .path-input`)?.focus();
  };

  const onDragEnd = (event: DragEndEvent): void => {
    const path = event.active.data.current?.['path'];
    const field = event.over?.data.current?.['field'];
    if (typeof path === 'string' && typeof field === 'string') assign(path, field);
  };

  const save = async (): Promise<void> => {
    if (editing === undefined) return;
    setSaving(true);
    try {
      const saved = await api.save({ file: editing.file, draft: editing.draft, ...(editing.hash === undefined ? {} : { baseHash: editing.hash }) });
      setEditing((current) => (current === undefined ? current : { ...current, file: saved.file, hash: saved.hash, dirty: false }));
      setSaveProblems([]);
      setStatus({ kind: 'success', text: `saved ${saved.file}${saved.warnings.length === 0 ? '' : ` — ${saved.warnings.join('; ')}`}` });
      setAnnouncement(`saved ${saved.file}`);
      void loadProject();
    } catch (error) {
      if (error instanceof ApiError && error.problems.length > 0) setSaveProblems(error.problems);
      setStatus(errorStatus(error));
    } finally {
      setSaving(false);
    }
  };

  const pickProblem = (field: string): void => {
    setHighlighted(field);
    document.getElementById(`target-${field}`)?.scrollIntoView({ block: 'center' });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape' && picked !== undefined) {
        setPicked(undefined);
        setAnnouncement('nothing picked');
      }
      if ((event.ctrlKey || event.metaKey) && event.key === 's') {
        event.preventDefault();
        void save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // Live problems of the draft once a preview has checked it; until then, those found on opening or saving.
  const problems = preview === undefined ? saveProblems : preview.problems;
  const mappedFields = Object.keys(draft?.map ?? {});
  const action = project?.connections.find((c) => c.name === draft?.to.connection)?.actions.find((a) => a.name === draft?.to.action);

  return (
    <div className="app">
      <div className="topbar">
        <h1>
          ferry <span>studio</span>
        </h1>
        <span className="muted small">{project?.projectFile ?? ''}</span>
        {status === undefined ? null : (
          <span className={`status ${status.kind}`} role={status.kind === 'error' ? 'alert' : 'status'} data-testid="status">
            {status.text}
            {status.hint === undefined ? null : <span className="hint"> — {status.hint}</span>}
          </span>
        )}
      </div>
      <div className="sr-only" aria-live="assertive" data-testid="announcer">
        {announcement}
      </div>
      <div className="layout">
        {project === undefined ? (
          <p className="muted">loading the project…</p>
        ) : (
          <Sidebar
            project={project}
            openFile={editing?.file}
            onOpen={(file) => void openFile(file)}
            onCreate={(file, next) => {
              setEditing({ file, hash: undefined, draft: next, dirty: true });
              setExtra([]);
              setSaveProblems([]);
              setStatus({ kind: 'info', text: `new pipeline ${file}: drag source fields onto the destination, then save` });
            }}
          />
        )}
        {editing === undefined || project === undefined || draft === undefined ? (
          <main className="empty">
            <p>Open a pipeline on the left, or start a new one from a source stream and a destination action.</p>
          </main>
        ) : (
          <main key={editing.file}>
            <PipelineBar project={project} file={editing.file} isNew={editing.hash === undefined} draft={draft} dirty={editing.dirty} saving={saving} onChange={updateDraft} onSave={() => void save()} />
            <ProblemList title="Problems to fix before saving" problems={problems} onPick={pickProblem} />
            <DndContext sensors={sensors} onDragEnd={onDragEnd}>
              <div className="mapping">
                <SourcePanel
                  fields={sourceFields}
                  record={sample?.records[0]}
                  picked={picked}
                  used={used}
                  loading={sampleLoading}
                  partitions={sample?.partitions}
                  partition={partition ?? sample?.partition}
                  onPick={onPick}
                  onRefresh={() => loadSample(true)}
                  onPartition={(id) => {
                    setPartitionChoice({ source: fromKey, partition: id });
                    setAnnouncement(`reading the sample of partition ${id}`);
                  }}
                />
                <TargetPanel
                  action={`${draft.to.connection}/${draft.to.action}${action === undefined ? '' : ` (${action.idempotence})`}`}
                  fields={fields?.target ?? []}
                  open={fields?.targetOpen ?? true}
                  map={draft.map}
                  extra={extra}
                  sourceFields={sourceFields}
                  converters={project.converters}
                  picked={picked}
                  highlighted={highlighted}
                  onAssign={onAssignTarget}
                  onChange={setEntry}
                  onAddField={(field) => {
                    setExtra((current) => (current.includes(field) ? current : [...current, field]));
                    setAnnouncement(`added destination field ${field}`);
                  }}
                />
              </div>
            </DndContext>
            <PreviewPanel preview={preview} fields={mappedFields} busy={previewBusy} />
          </main>
        )}
      </div>
    </div>
  );
}
