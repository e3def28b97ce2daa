import { invalidInput, type MessageCursor } from "../core/index.js";

/** Opaque cursors: base64url of "<internal date ms>:<id>". */
export function encodeCursor(c: MessageCursor): string {
  return Buffer.from(`${c.internalDate.getTime()}:${c.id}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined | null): MessageCursor | undefined {
  if (!cursor) return undefined;
  const [ms, id] = Buffer.from(cursor, "base64url").toString().split(":");
  const time = Number(ms);
  if (!id || !Number.isSafeInteger(time))
    throw invalidInput(`Cursor "${cursor}" is not one this server gave out.`);
  return { internalDate: new Date(time), id };
}
