// The GraphQL front end: schema, per-request context, error mapping and limits.
export { buildEiderSchema } from "./schema.js";
export { createLoaders, type GraphQLContext } from "./context.js";
export { formatError } from "./errors.js";
export { depthLimitRule } from "./depth-limit.js";
export { operationCost, type CostLimits } from "./cost.js";
export { guardOperation, precheckDocument, type DocumentLimits } from "./request-guard.js";
export { attachmentPath, rawPath } from "./mappers.js";
