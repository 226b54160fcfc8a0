import type { JsonRecord } from '../contract/json-schema.js';
import type { CompiledFieldMap, CompiledPredicate } from '../fieldmap/index.js';

type Vars = Readonly<Record<string, unknown>> | undefined;

/** One test a record must pass; sync unless `isAsync`. */
export interface RecordGate {
  test(record: JsonRecord, vars?: Vars): boolean | Promise<boolean>;
  readonly isAsync: boolean;
  readonly expression: string;
}

/** Extra JSONata variables for a record (`$link`), computed once per record. */
export type RecordVars = (record: JsonRecord) => Readonly<Record<string, unknown>>;

function merged(record: JsonRecord, vars: Vars, extra: RecordVars | undefined): Vars {
  return extra === undefined ? vars : { ...vars, ...extra(record) };
}

/**
 * The gates as one `where`, tested in order and stopped at the first that fails: cheap and pure ones first, the
 * one that remembers what it saw (`became`) last, so that it only judges records that reach it.
 */
export function composeWhere(gates: readonly (RecordGate | undefined)[], extra?: RecordVars): CompiledPredicate | undefined {
  const present = gates.filter((gate): gate is RecordGate => gate !== undefined);
  if (present.length === 0) return undefined;
  const only = present[0];
  if (present.length === 1 && only !== undefined && extra === undefined) return only;
  const from = (index: number, record: JsonRecord, vars: Vars): boolean | Promise<boolean> => {
    for (let at = index; at < present.length; at++) {
      const gate = present[at];
      if (gate === undefined) continue;
      const verdict = gate.test(record, vars);
      if (verdict instanceof Promise) return verdict.then((passes) => (passes ? from(at + 1, record, vars) : false));
      if (!verdict) return false;
    }
    return true;
  };
  return {
    test: (record, vars) => from(0, record, merged(record, vars, extra)),
    isAsync: present.some((gate) => gate.isAsync),
    expression: present.map((gate) => gate.expression).join(' and '),
  };
}

/** The map with extra variables bound for each record. */
export function mapWithVars(map: CompiledFieldMap, extra: RecordVars): CompiledFieldMap {
  return {
    apply: (record, vars) => map.apply(record, merged(record, vars, extra)),
    isAsync: map.isAsync,
    targetFields: map.targetFields,
    sourcePaths: map.sourcePaths,
  };
}
