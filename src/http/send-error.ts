import type { Response } from "express";
import { isDomainError, type ErrorCode } from "../core/index.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  AUTH_FAILED: 401,
  ACCOUNT_DISABLED: 403,
  FORBIDDEN: 403,
  INVALID_INPUT: 400,
  MESSAGE_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 507,
  RATE_LIMITED: 429,
};

/** The HTTP answer for an error: domain errors with their code, the rest as a bare 500. */
export function sendError(res: Response, err: unknown): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  if (isDomainError(err)) {
    res.status(STATUS[err.code] ?? 400).json({ error: { code: err.code, message: err.message } });
    return;
  }
  res.locals.error = err;
  res.status(500).json({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error." } });
}
