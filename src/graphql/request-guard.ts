import {
  GraphQLError,
  Kind,
  getOperationAST,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { assertAffordable, type CostLimits } from "./cost.js";
import { depthError, operationDepth } from "./depth-limit.js";

export interface DocumentLimits extends CostLimits {
  maxDepth: number;
}

/**
 * How often one response path (`mailbox.messages.edges.node.id`, inline fragments see through, aliases
 * count) may be asked for in one operation or fragment, and one fragment spread at one path. graphql's
 * OverlappingFieldsCanBeMerged compares the fields that merge at a path pairwise: 990 copies of
 * `me { id }` (10 KB) kept the event loop busy 0.4 s, and so did 5 copies on each of 4 nested levels
 * (625 fields merging at one path). Real clients name a path a few times (a fragment and the query both).
 */
export const MAX_REPEATS = 10;

/**
 * The cheap checks that run on a parsed document before graphql's own validation, whose cost is not
 * linear in the document: one operation to run, no response path asked for more than MAX_REPEATS times, the
 * depth limit and the cost limit. Each is linear in the document. Throws a GraphQLError with a client
 * code and HTTP status 400.
 */
export function precheckDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: DocumentLimits,
): void {
  const repeated = findRepeat(document);
  if (repeated) {
    throw new GraphQLError(`${repeated} is asked for more than ${MAX_REPEATS} times; ask for it once.`, {
      extensions: { code: "QUERY_TOO_COMPLEX", http: { status: 400 } },
    });
  }
  const operation = operationOf(document, operationName);
  const depth = operationDepth(document, operation);
  if (depth > limits.maxDepth) {
    const err = depthError(depth, limits.maxDepth, operation);
    throw new GraphQLError(err.message, {
      nodes: [operation],
      extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } },
    });
  }
  assertAffordable(schema, document, operation, variables ?? undefined, limits);
}

/**
 * What every operation must pass after validation and before anything is spent on it (the token
 * look-up included): it names one operation, fits the cost limit, and a subscription comes over
 * the WebSocket. Throws a GraphQLError with a client code and an HTTP status.
 */
export function guardOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: CostLimits,
  transport: "http" | "websocket",
): void {
  const operation = operationOf(document, operationName);
  if (transport === "http" && operation.operation === "subscription") {
    throw new GraphQLError(
      "Subscriptions run over the WebSocket (graphql-ws protocol) at /graphql, not over an HTTP request.",
      { nodes: [operation], extensions: { code: "BAD_REQUEST", http: { status: 400 } } },
    );
  }
  assertAffordable(schema, document, operation, variables ?? undefined, limits);
}

function operationOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) {
    throw new GraphQLError(
      operationName
        ? `The document has no operation named "${operationName}".`
        : "The document has several operations; name the one to run (operationName).",
      { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } },
    );
  }
  return operation;
}

/** The first response path (or fragment spread at a path) asked for more than MAX_REPEATS times. */
function findRepeat(document: DocumentNode): string | null {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION)
      continue;
    const counts = new Map<string, number>();
    const over = (key: string) => {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n > MAX_REPEATS;
    };
    const walk = (set: SelectionSetNode, path: string): string | null => {
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          const at = path ? `${path}.${(sel.alias ?? sel.name).value}` : (sel.alias ?? sel.name).value;
          if (over(at)) return `Field "${at}"`;
          const inner = sel.selectionSet ? walk(sel.selectionSet, at) : null;
          if (inner) return inner;
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          const inner = walk(sel.selectionSet, path);
          if (inner) return inner;
        } else if (over(`${path}...${sel.name.value}`)) {
          return `Fragment "${sel.name.value}"${path ? ` at ${path}` : ""}`;
        }
      }
      return null;
    };
    const found = walk(definition.selectionSet, "");
    if (found) return found;
  }
  return null;
}
