import type { RequestHandler } from "express";
import { GraphQLError, parse, type GraphQLSchema } from "graphql";
import { precheckDocument, type DocumentLimits } from "../graphql/index.js";

/**
 * Runs the linear pre-checks (repeats, depth, cost) on a GraphQL request before Apollo validates it, so a
 * document built to make graphql's own validation slow is refused first, in a parse and a walk. The
 * document is parsed here and again by Apollo: a few microseconds per kB. What does not parse goes on to
 * Apollo, which answers GRAPHQL_PARSE_FAILED in its usual shape.
 */
export function graphqlPrecheck(
  schema: GraphQLSchema,
  limits: DocumentLimits & { maxTokens: number },
): RequestHandler {
  return (req, res, next) => {
    const params = (req.method === "GET" ? req.query : req.body) as Record<string, unknown> | undefined;
    const query = params?.query;
    if (typeof query !== "string") return next();
    let document;
    try {
      document = parse(query, { maxTokens: limits.maxTokens });
    } catch {
      return next();
    }
    try {
      precheckDocument(schema, document, operationNameOf(params), variablesOf(params), limits);
    } catch (err) {
      if (!(err instanceof GraphQLError)) return next(err);
      res.status(400).json({
        errors: [{ message: err.message, extensions: { code: err.extensions.code ?? "BAD_REQUEST" } }],
      });
      return;
    }
    next();
  };
}

function operationNameOf(params: Record<string, unknown> | undefined): string | undefined {
  return typeof params?.operationName === "string" ? params.operationName : undefined;
}

function variablesOf(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  let v = params?.variables;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
