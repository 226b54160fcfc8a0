import type {
  ErrorResponse,
  FieldsResponse,
  OpenPipelineResponse,
  PreviewRequest,
  PreviewResponse,
  Problem,
  ProjectView,
  SampleRequest,
  SampleResponse,
  SaveRequest,
  SaveResponse,
} from '../../shared/api-types.js';

/** A refused request: what the server said, and the positioned problems when it listed some. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
    readonly problems: readonly Problem[],
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  // Same origin: the browser sends the studio's SameSite=Strict cookie with every call.
  const response = await fetch(path, { ...init, credentials: 'same-origin', headers: { 'content-type': 'application/json', ...init.headers } });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as ErrorResponse | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `the studio answered ${response.status}`, error?.hint, (body as ErrorResponse | undefined)?.problems ?? []);
  }
  return body as T;
}

function post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return call<T>(path, { method: 'POST', body: JSON.stringify(body), ...(signal === undefined ? {} : { signal }) });
}

export const api = {
  project: () => call<ProjectView>('/api/project'),
  fields: (from: { connection: string; stream: string }, to: { connection: string; action: string }) =>
    call<FieldsResponse>(
      `/api/fields?${new URLSearchParams({ fromConnection: from.connection, stream: from.stream, toConnection: to.connection, action: to.action }).toString()}`,
    ),
  open: (file: string) => call<OpenPipelineResponse>(`/api/pipeline?${new URLSearchParams({ file }).toString()}`),
  sample: (request: SampleRequest) => post<SampleResponse>('/api/sample', request),
  preview: (request: PreviewRequest, signal: AbortSignal) => post<PreviewResponse>('/api/preview', request, signal),
  save: (request: SaveRequest) => post<SaveResponse>('/api/save', request),
};
