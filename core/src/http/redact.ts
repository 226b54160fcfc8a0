/** Query parameters and JSON keys whose values are secrets: shown as `***` wherever a request is described. */
const SECRET_NAMES = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'client_secret',
  'key',
  'api_key',
  'apikey',
  'secret',
  'password',
];
const SECRET_NAME_SET = new Set(SECRET_NAMES);
const SECRET_JSON_FIELD = new RegExp(`"(${SECRET_NAMES.join('|')})"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
/** Shorter strings are too likely to be ordinary words to scrub blindly. */
const MIN_SECRET_LENGTH = 6;

/** A path with query for messages and logs: secret parameters replaced by `***`. */
export function redactPath(pathWithQuery: string): string {
  const url = new URL(pathWithQuery, 'http://redacted.invalid');
  let changed = false;
  for (const name of new Set(url.searchParams.keys())) {
    if (SECRET_NAME_SET.has(name.toLowerCase())) {
      url.searchParams.set(name, '***');
      changed = true;
    }
  }
  const search = changed ? `?${url.searchParams.toString()}` : url.search;
  return `${url.pathname}${search}`;
}

/** Text from a response or an exception, scrubbed of bearer tokens, secret JSON fields and known secrets. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = text.replace(BEARER, '$1 ***').replace(SECRET_JSON_FIELD, '"$1":"***"');
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) result = result.replaceAll(secret, '***');
  }
  return result;
}

/** At most `max` characters, marked when cut, so a huge error page never floods a log line. */
export function truncate(text: string, max = 500): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
