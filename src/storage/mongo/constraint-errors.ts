/**
 * True when a write failed on a unique index: E11000, alone or as every error of a bulk write. FerretDB v1
 * reports a unique violation by an *update* as InternalError (code 1) carrying its backend's message
 * instead, so that form counts too.
 */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as {
    code?: number;
    message?: string;
    writeErrors?: { code?: number } | Array<{ code?: number }>;
  } | null;
  if (e?.writeErrors !== undefined) {
    const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    return errors.length > 0 && errors.every((w) => w.code === 11000);
  }
  if (e?.code === 1 && BACKEND_UNIQUE_VIOLATION.test(e.message ?? "")) return true;
  return e?.code === 11000;
}

/** SQLite's and PostgreSQL's words for a unique violation, as FerretDB passes them through. */
const BACKEND_UNIQUE_VIOLATION = /UNIQUE constraint failed|duplicate key value violates unique constraint/;
