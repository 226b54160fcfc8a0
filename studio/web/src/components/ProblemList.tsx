import type { Problem } from '../../../shared/api-types.js';

export function ProblemList(props: { problems: readonly Problem[]; title: string; onPick?: (field: string) => void }) {
  if (props.problems.length === 0) return null;
  return (
    <section className="problems" aria-label={props.title} data-testid="problems">
      <h3>{props.title}</h3>
      <ul>
        {props.problems.map((problem, index) => (
          <li key={`${problem.code}-${index}`} data-code={problem.code}>
            {problem.line === undefined ? null : (
              <span className="position">
                line {problem.line}, column {problem.column ?? 1}
              </span>
            )}{' '}
            {problem.field === undefined || props.onPick === undefined ? null : (
              <button type="button" className="link" onClick={() => props.onPick?.(problem.field ?? '')}>
                {problem.field}
              </button>
            )}{' '}
            <span className="message">{problem.message}</span>
            {problem.hint === undefined ? null : <div className="hint">{problem.hint}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
