import type { Response } from "express";
import { asDomainError, TEMPORARY_CODES, type ErrorCode } from "../core/index.js";

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
  TRANSFER_LIMIT: 429,
  STORAGE_FULL: 507,
  BUS_UNAVAILABLE: 503,
};

/** Seconds a client should wait before retrying after a temporary error. */
const RETRY_AFTER_SECONDS = 5;

/**
 * The HTTP answer for any error of a route: domain errors (and what `asDomainError` recognises: a full disk,
 * an unreachable bus) with their code and status, anything else as a generic 500. The error is kept in
 * `res.locals.error` for the server's request log, which logs every 5xx with it.
 */
export function sendError(res: Response, err: unknown): void {
  res.locals.error = err;
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  const domain = asDomainError(err);
  if (domain) {
    if (TEMPORARY_CODES.has(domain.code)) res.setHeader("retry-after", String(RETRY_AFTER_SECONDS));
    res.status(STATUS[domain.code] ?? 400).json({ error: { code: domain.code, message: domain.message } });
    return;
  }
  res.status(500).json({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error." } });
}
