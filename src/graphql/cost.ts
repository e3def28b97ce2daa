import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export interface CostLimits {
  /** The most a single operation may cost (see operationCost). */
  maxCost: number;
  /** How many items a list counts for when nothing says how many it holds. */
  defaultListSize: number;
}

// Arguments that bound how many items a list field returns (Relay connections and plain pages).
const PAGE_ARGUMENTS = ["first", "last"];

/**
 * What an operation may cost to run, counted before it runs: every field costs 1, and what is selected
 * under a list is counted once per item it may return. A field with a `first`/`last` argument multiplies
 * by that number (from the document, the variables, the argument's default, else `defaultListSize`); the
 * list fields directly under it (a connection's `edges`) are the same page and multiply by nothing more;
 * any other list multiplies by `defaultListSize`. Fragments are counted once each and remembered, so
 * counting is linear in the document; the sum saturates at `cap` so a fragment bomb stays a finite number.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  defaultListSize: number,
  cap = Number.MAX_SAFE_INTEGER,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const known = new Map<string, number>();
  const walking = new Set<string>();
  const add = (a: number, b: number) => Math.min(cap, a + b);
  const times = (a: number, b: number) => Math.min(cap, a * b);

  const pageSize = (node: FieldNode, field: GraphQLField<unknown, unknown> | undefined): number | null => {
    for (const name of PAGE_ARGUMENTS) {
      const given = node.arguments?.find((a) => a.name.value === name);
      const declared = field?.args.find((a) => a.name === name);
      if (!given && !declared) continue;
      let value: unknown = declared?.defaultValue;
      if (given?.value.kind === Kind.INT) value = Number(given.value.value);
      else if (given?.value.kind === Kind.VARIABLE) value = variables?.[given.value.name.value] ?? value;
      else if (given) value = undefined;
      return typeof value === "number" && Number.isFinite(value) && value >= 0
        ? Math.max(1, Math.floor(value))
        : defaultListSize;
    }
    return null;
  };

  const fieldOf = (parent: GraphQLNamedType | undefined, name: string) =>
    parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;

  const costOf = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, paged: boolean): number => {
    let total = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const field = fieldOf(parent, sel.name.value);
        let children = 0;
        let childPaged = false;
        if (sel.selectionSet) {
          const page = pageSize(sel, field);
          const isList = field ? isListType(getNullableType(field.type)) : false;
          const factor = page ?? (isList && !paged ? defaultListSize : 1);
          childPaged = page !== null;
          children = times(factor, costOf(sel.selectionSet, field && getNamedType(field.type), childPaged));
        }
        total = add(total, add(1, children));
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        total = add(total, costOf(sel.selectionSet, type ?? undefined, paged));
      } else {
        total = add(total, fragmentCost(sel.name.value, paged));
      }
    }
    return total;
  };

  const fragmentCost = (name: string, paged: boolean): number => {
    const key = `${paged ? "p" : "-"}${name}`;
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const fragment = fragments.get(name);
    if (!fragment || walking.has(key)) return 0;
    walking.add(key);
    const type = schema.getType(fragment.typeCondition.name.value) ?? undefined;
    const cost = costOf(fragment.selectionSet, type, paged);
    walking.delete(key);
    known.set(key, cost);
    return cost;
  };

  const root =
    operation.operation === "query"
      ? schema.getQueryType()
      : operation.operation === "mutation"
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  return costOf(operation.selectionSet, root ?? undefined, false);
}

/** Refuses an operation whose cost is over the limit, with QUERY_TOO_COMPLEX (HTTP 400). */
export function assertAffordable(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: CostLimits,
): void {
  const cap = limits.maxCost + 1;
  if (operationCost(schema, document, operation, variables, limits.defaultListSize, cap) > limits.maxCost) {
    throw new GraphQLError(
      `The operation may cost more than ${limits.maxCost} (fields times list sizes), the limit; ask for fewer fields or smaller pages.`,
      { nodes: [operation], extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } } },
    );
  }
}
