// RFC 8601 §5: a receiving MTA removes any Authentication-Results field that claims its own authserv-id before it
// adds its own, so a sender cannot hand a reader "dkim=pass" in the server's name. Fields of other authserv-ids (a
// relay upstream of us) are kept. Everything else in the message stays byte for byte as it came.

/** How the header section ends: the first empty line (CRLF or, in a bare-LF message, LF). */
const HEADER_END = /\r?\n\r?\n/;
/** A field name followed by its colon (RFC 5322 §3.6.8; obsolete syntax allows blanks before the colon). */
const FIELD_NAME = /^([!-9;-~]+)[ \t]*:/;

export interface ForgedResultsRemoval {
  /** The message without the removed fields. */
  message: Buffer;
  /** How many Authentication-Results fields claimed `authservId` and were removed. */
  removed: number;
}

/** Removes every Authentication-Results field whose authserv-id is `authservId` (compared without regard to case). */
export function removeForgedResults(raw: Buffer, authservId: string): ForgedResultsRemoval {
  // latin1 maps each byte to one character and back, so the bytes kept are exactly the bytes given.
  const text = raw.toString("latin1");
  const end = HEADER_END.exec(text);
  const headerLength = end ? end.index + end[0].indexOf("\n") + 1 : text.length;
  const fields = splitFields(text.slice(0, headerLength));
  const ours = authservId.toLowerCase();
  const kept = fields.filter((f) => !isResultsOf(f, ours));
  const removed = fields.length - kept.length;
  if (removed === 0) return { message: raw, removed };
  return { message: Buffer.from(kept.join("") + text.slice(headerLength), "latin1"), removed };
}

/** The authserv-id an Authentication-Results field names, or null when the field is another or has none. */
export function resultsAuthservId(field: string): string | null {
  const name = FIELD_NAME.exec(field);
  if (!name || name[1].toLowerCase() !== "authentication-results") return null;
  const value = stripComments(field.slice(name[0].length).replace(/\r?\n[ \t]/g, " ")).trim();
  const id = /^[^\s;]+/.exec(value)?.[0];
  return id ? id.toLowerCase() : null;
}

function isResultsOf(field: string, authservId: string): boolean {
  return resultsAuthservId(field) === authservId;
}

/** The header section's fields, each with its continuation lines and line ends, in order. */
function splitFields(header: string): string[] {
  const fields: string[] = [];
  for (const line of header.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    if ((line[0] === " " || line[0] === "\t") && fields.length > 0) fields[fields.length - 1] += line;
    else fields.push(line);
  }
  return fields;
}

/** The value without its comments (CFWS may come before the authserv-id: `(forged) mx.example;`). */
function stripComments(value: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\" && depth > 0) i++;
    else if (c === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  return out;
}
