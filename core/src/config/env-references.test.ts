import { describe, expect, it } from 'vitest';
import { resolveEnvReferences } from './env-references.js';
import { parseYamlSource } from './yaml-source.js';

function resolveText(text: string, env: Record<string, string | undefined>) {
  return resolveEnvReferences(parseYamlSource(text, 'ferry.yaml'), env);
}

describe('resolveEnvReferences', () => {
  it('replaces ${VAR} and ${VAR:-default} in string values and records which strings used variables', () => {
    const result = resolveText(
      'a: ${A}\nb: "x-${B:-fallback}-y"\nc: ${EMPTY:-used}\nd: "${EMPTY}"\nlist: [plain, "${A}"]\n${A}: key\n',
      { A: 'one', EMPTY: '' },
    );
    expect(result.problems).toEqual([]);
    expect(result.data).toEqual({ a: 'one', b: 'x-fallback-y', c: 'used', d: '', list: ['plain', 'one'], '${A}': 'key' });
    expect([...result.references.keys()]).toEqual(['/a', '/b', '/c', '/d', '/list/1']);
    expect(result.references.get('/b')).toEqual(['B']);
  });

  it('writes a literal ${ for $${ and leaves other dollars alone', () => {
    const result = resolveText('a: "$${NOT_A_VAR} costs $5, $$.x"\n', {});
    expect(result.problems).toEqual([]);
    expect(result.data).toEqual({ a: '${NOT_A_VAR} costs $5, $$.x' });
    expect(result.references.size).toBe(0);
  });

  it('reports a missing variable once, at the column of its reference, without any value', () => {
    const result = resolveText('connections:\n  ghl:\n    token: "Bearer ${GHL_TOKEN}"\n    again: ${GHL_TOKEN}\n', { OTHER: 's3cret' });
    expect(result.problems).toHaveLength(1);
    const [problem] = result.problems;
    expect(problem?.code).toBe('CONFIG_MISSING_ENV');
    expect(problem?.message).toBe("ferry.yaml:3:20: environment variable GHL_TOKEN is not set (used by 'connections.ghl.token')");
    expect(problem?.hint).toMatch(/^export GHL_TOKEN=… or put it in \.env/);
    expect(problem?.details['variable']).toBe('GHL_TOKEN');
  });

  it('reports malformed references', () => {
    const result = resolveText('a: "${NOT CLOSED"\nb: "${1BAD}"\n', {});
    expect(result.problems.map((problem) => problem.code)).toEqual(['CONFIG_BAD_ENV_REFERENCE', 'CONFIG_BAD_ENV_REFERENCE']);
    expect(result.problems[0]?.message).toMatch(/^ferry\.yaml:1:5: malformed environment reference/);
    expect(result.problems[1]?.message).toBe("ferry.yaml:2:5: malformed environment reference '${1BAD}'");
  });
});
