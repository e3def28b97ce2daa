import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";

/**
 * How many levels of fields an operation nests, fragments followed. Each fragment's depth is computed once
 * and remembered, so the walk is linear in the document: a fragment spread twice per level for 40 levels
 * costs 40 look-ups, not 2^40 walks. A fragment cycle counts as 0 here; graphql's NoFragmentCycles refuses it.
 */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const known = new Map<string, number>();
  const walking = new Set<string>();

  const fragmentDepth = (name: string): number => {
    const cached = known.get(name);
    if (cached !== undefined) return cached;
    const fragment = fragments.get(name);
    if (!fragment || walking.has(name)) return 0;
    walking.add(name);
    const depth = depthOf(fragment.selectionSet);
    walking.delete(name);
    known.set(name, depth);
    return depth;
  };
  const depthOf = (set: SelectionSetNode): number => {
    let deepest = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD)
        deepest = Math.max(deepest, sel.selectionSet ? 1 + depthOf(sel.selectionSet) : 0);
      else if (sel.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(sel.selectionSet));
      else deepest = Math.max(deepest, fragmentDepth(sel.name.value));
    }
    return deepest;
  };
  return depthOf(operation.selectionSet) + 1;
}

export const depthError = (depth: number, maxDepth: number, node?: OperationDefinitionNode) =>
  new GraphQLError(`Operation nests ${depth} levels deep; the limit is ${maxDepth}.`, {
    nodes: node ? [node] : undefined,
  });

/** A validation rule that refuses operations nested deeper than `maxDepth` fields (fragments followed). */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node) {
      const depth = operationDepth(context.getDocument(), node);
      if (depth > maxDepth) context.reportError(depthError(depth, maxDepth, node));
    },
  });
}
