// What crosses between the event loop and the embedded store's write thread: values go by structured clone, which
// turns a Buffer into a plain Uint8Array and an error into a bare Error, so both are restored on arrival.
import { StoreConflictError, StoreQuotaError } from "../ports.js";

/** An error as sent across: its class by name, its message and the fields the core reads (code, field, ...). */
export interface SentError {
  name: string;
  message: string;
  stack?: string;
  code?: unknown;
  field?: string;
  userId?: string;
  adding?: number;
  cause?: SentError;
}

export function sendError(err: unknown, depth = 0): SentError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const e = err as Error & { code?: unknown; field?: string; userId?: string; adding?: number };
  const sent: SentError = { name: e.name, message: e.message, stack: e.stack };
  if (e.code !== undefined) sent.code = e.code;
  if (e instanceof StoreConflictError) sent.field = e.field;
  if (e instanceof StoreQuotaError) Object.assign(sent, { userId: e.userId, adding: e.adding });
  if (e.cause !== undefined && depth < 4) sent.cause = sendError(e.cause, depth + 1);
  return sent;
}

/** The error again, as the class the core tells apart (quota, conflict) or an Error with the same name and code. */
export function receiveError(sent: SentError): Error {
  let err: Error;
  if (sent.name === "StoreQuotaError") err = new StoreQuotaError(sent.userId!, sent.adding!);
  else if (sent.name === "StoreConflictError") err = new StoreConflictError(sent.message, sent.field!);
  else {
    err = new Error(sent.message, sent.cause ? { cause: receiveError(sent.cause) } : undefined);
    Object.defineProperty(err, "name", { value: sent.name, configurable: true, writable: true });
    if (sent.code !== undefined) Object.assign(err, { code: sent.code });
  }
  if (sent.stack) err.stack = sent.stack;
  return err;
}

/**
 * Turns every Uint8Array inside `value` back into a Buffer over the same memory (no copy); plain objects, arrays
 * and maps are walked, other objects (dates) are left as they are.
 */
export function restoreBuffers<T>(value: T): T {
  return restore(value) as T;
}

function restore(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Uint8Array)
    return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = restore(v[i]);
    return v;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) v.set(k, restore(x));
    return v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) o[k] = restore(o[k]);
  return o;
}
