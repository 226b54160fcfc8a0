/** A JSONata AST node seen as plain data: every property is narrowed where it is used. */
export type AstNode = Readonly<Record<string, unknown>>;

export function isAstNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as AstNode)['type'] === 'string';
}

/**
 * True when the node has no property beyond `allowed` — a shape the fast path knows completely. Properties the
 * parser left undefined (a function node's `name`) count as absent, as they do to the evaluator.
 */
export function hasOnlyKeys(node: AstNode, allowed: ReadonlySet<string>): boolean {
  for (const key of Object.keys(node)) if (!allowed.has(key) && node[key] !== undefined) return false;
  return true;
}

/** Visits every node of the tree once (the tree may link back to ancestors for the `%` operator). */
export function forEachNode(root: unknown, visit: (node: AstNode) => void): void {
  const seen = new WeakSet<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object' || value instanceof RegExp || seen.has(value)) continue;
    seen.add(value);
    if (isAstNode(value)) visit(value);
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
}

export function positionOf(node: AstNode): number {
  const position = node['position'];
  return typeof position === 'number' ? position : 0;
}
