// The spam verdict header fields Eider's delivery routing trusts from its MX (src/core/delivery/spam.ts). A sender
// could write them itself, so the MX removes every such field that arrived with the message before it prepends
// its own. (Authentication-Results in our name are authenticate.ts's business.) Pure and byte-exact: everything
// else in the message stays as it came.

/** The spam headers Eider's delivery can be told to trust; the MX always removes the sender's. */
const SPAM_FIELDS = new Set([
  "x-spam-status",
  "x-spam-flag",
  "x-spam-score",
  "x-rspamd-score",
  "x-rspamd-action",
]);

/** Where the header section ends: the offset of the empty line's CRLF, or the message's length when it has none. */
function headerEnd(raw: Buffer): number {
  if (raw.subarray(0, 2).toString("latin1") === "\r\n") return 0;
  const i = raw.indexOf("\r\n\r\n", 0, "latin1");
  return i < 0 ? raw.length : i + 2;
}

/** The message without the sender's spam verdict fields, `fields` ("Name: value", no line end) prepended in order. */
export function withSpamVerdict(raw: Buffer, fields: string[]): Buffer {
  const end = headerEnd(raw);
  const kept: Buffer[] = fields.map((f) => Buffer.from(`${f}\r\n`, "utf8"));
  let start = 0;
  let dropping = false;
  for (let lineStart = 0; lineStart < end;) {
    const crlf = raw.indexOf("\r\n", lineStart, "latin1");
    const lineEnd = crlf < 0 || crlf + 2 > end ? end : crlf + 2;
    const first = raw[lineStart];
    // A continuation line belongs to the field before it; a new field flushes what was kept or starts keeping.
    if (first !== 0x20 && first !== 0x09) {
      const drop = SPAM_FIELDS.has(fieldName(raw, lineStart, lineEnd));
      if (drop && !dropping) kept.push(raw.subarray(start, lineStart));
      if (!drop && dropping) start = lineStart;
      dropping = drop;
    }
    lineStart = lineEnd;
  }
  kept.push(raw.subarray(dropping ? end : start));
  return Buffer.concat(kept);
}

function fieldName(raw: Buffer, start: number, end: number): string {
  const colon = raw.indexOf(":", start, "latin1");
  return colon < 0 || colon >= end ? "" : raw.subarray(start, colon).toString("latin1").trim().toLowerCase();
}
