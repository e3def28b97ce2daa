import {
  GraphQLError,
  Kind,
  type ASTNode,
  type FragmentDefinitionNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";

/** A validation rule that refuses operations nested deeper than `maxDepth` fields (fragments followed). */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions)
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    const depthOf = (node: ASTNode, seen: Set<string>): number => {
      if (!("selectionSet" in node) || !node.selectionSet) return 0;
      let deepest = 0;
      for (const sel of node.selectionSet.selections) {
        if (sel.kind === Kind.FIELD)
          deepest = Math.max(deepest, (sel.selectionSet ? 1 : 0) + depthOf(sel, seen));
        else if (sel.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(sel, seen));
        else if (!seen.has(sel.name.value)) {
          const frag = fragments.get(sel.name.value);
          if (frag) deepest = Math.max(deepest, depthOf(frag, new Set([...seen, sel.name.value])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node, new Set()) + 1;
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Operation nests ${depth} levels deep; the limit is ${maxDepth}.`, {
              nodes: [node],
            }),
          );
        }
      },
    };
  };
}
