import { GraphQLError, getOperationAST, type DocumentNode, type GraphQLSchema } from "graphql";
import { assertAffordable, type CostLimits } from "./cost.js";

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
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) {
    throw new GraphQLError(
      operationName
        ? `The document has no operation named "${operationName}".`
        : "The document has several operations; name the one to run (operationName).",
      { extensions: { code: "OPERATION_RESOLUTION_FAILURE", http: { status: 400 } } },
    );
  }
  if (transport === "http" && operation.operation === "subscription") {
    throw new GraphQLError(
      "Subscriptions run over the WebSocket (graphql-ws protocol) at /graphql, not over an HTTP request.",
      { nodes: [operation], extensions: { code: "BAD_REQUEST", http: { status: 400 } } },
    );
  }
  assertAffordable(schema, document, operation, variables ?? undefined, limits);
}
