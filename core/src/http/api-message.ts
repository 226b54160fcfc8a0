import type { HttpProfile } from '../contract/http.js';

type Headers = Readonly<Record<string, string | undefined>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messagesOf(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() === '' ? [] : [value.trim()];
  if (Array.isArray(value)) return value.flatMap((item) => messagesOf(item));
  if (isRecord(value)) return messagesOf(value['message'] ?? value['msg']);
  return [];
}

/** `field: message` lines from the usual validation shapes (`{errors: {field: [..]}}`, `[{field, message}]`). */
function fieldMessages(errors: unknown): string[] {
  if (isRecord(errors)) {
    return Object.entries(errors).flatMap(([field, value]) => messagesOf(value).map((m) => `${field}: ${m}`));
  }
  if (Array.isArray(errors)) {
    return errors.flatMap((item) => {
      if (isRecord(item) && typeof item['field'] === 'string') {
        return messagesOf(item['message']).map((m) => `${String(item['field'])}: ${m}`);
      }
      return messagesOf(item);
    });
  }
  return [];
}

/**
 * The API's own explanation of a failure: the profile's reader first, then the common shapes — `message` (a
 * string, or an array on GHL 422s, joined), field `errors`, OAuth `error_description`/`error`, or short text.
 */
export function apiMessageOf(status: number, body: unknown, profile: HttpProfile | undefined): string | undefined {
  const fromProfile = profile?.errorMessage?.(status, body);
  if (fromProfile !== undefined && fromProfile !== '') return fromProfile;
  if (typeof body === 'string') {
    const text = body.trim();
    // An HTML error page says nothing a person can act on; its status does.
    return text === '' || text.startsWith('<') ? undefined : text;
  }
  if (!isRecord(body)) return undefined;
  const parts = messagesOf(body['message']);
  const fields = fieldMessages(body['errors']);
  if (parts.length === 0) parts.push(...messagesOf(body['error_description'] ?? body['error']));
  const all = [...parts, ...fields.filter((f) => !parts.includes(f))];
  return all.length === 0 ? undefined : all.join('; ');
}

/** The call's trace id: the profile's reader, then a `traceId` in the body, then common headers. */
export function traceIdOf(headers: Headers, body: unknown, profile: HttpProfile | undefined): string | undefined {
  const fromProfile = profile?.traceId?.(headers, body);
  if (fromProfile !== undefined) return fromProfile;
  if (isRecord(body) && typeof body['traceId'] === 'string') return body['traceId'];
  return headers['x-trace-id'] ?? headers['x-request-id'] ?? headers['x-amzn-trace-id'];
}
