import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Logger } from "pino";
import { asDomainError, TEMPORARY_CODES } from "../core/index.js";

// Apollo's own codes for requests that never reached a resolver; they pass through as they are.
const CLIENT_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "OPERATION_RESOLUTION_FAILURE",
  "QUERY_TOO_COMPLEX",
]);

// Codes the HTTP layer attaches itself (an unknown bearer token is refused before any resolver runs).
const DOMAIN_CODES = new Set<string>([
  "UNAUTHENTICATED",
  "ACCOUNT_DISABLED",
  "STORAGE_FULL",
  "BUS_UNAVAILABLE",
]);

/** Domain errors reach the client with their code; anything else becomes a generic error and a log line. */
export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A resolver's error, or one that ended a subscription's stream (graphql-ws wraps it without a path).
    let original = unwrapResolverError(error);
    if (original instanceof GraphQLError && original.originalError && asDomainError(original.originalError))
      original = original.originalError;
    const domain = asDomainError(original);
    if (domain) {
      // A full disk or a lost bus is the operator's to see; the client gets a temporary code to retry on.
      if (TEMPORARY_CODES.has(domain.code))
        logger.error({ err: original, code: domain.code, path: formatted.path }, "temporary failure");
      return {
        message: domain.message,
        locations: formatted.locations,
        path: formatted.path,
        // A refusal by a limit says when to retry, in seconds as HTTP's Retry-After does.
        extensions:
          domain.retryAfterMs === undefined
            ? { code: domain.code }
            : { code: domain.code, retryAfterSeconds: Math.ceil(domain.retryAfterMs / 1000) },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === "string" && (CLIENT_CODES.has(code) || DOMAIN_CODES.has(code))) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code },
      };
    }
    if (isArgumentValidation(original))
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: "BAD_USER_INPUT" },
      };
    logger.error({ err: original, path: formatted.path }, "unexpected error in a GraphQL request");
    return {
      message: "Internal server error.",
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}

function isArgumentValidation(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === "ArgumentValidationError" || name === "GraphQLError";
}
