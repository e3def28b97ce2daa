// The header fields Eider trusts from its MX: the Authentication-Results under this server's authserv-id and the
// spam verdict headers its delivery routing reads. A sender could write them itself, so the MX removes every such
// field that arrived with the message (RFC 8601 §5: those claiming our authserv-id) before it prepends its own.
// Pure and byte-exact: everything else in the message stays as it came.

/** The spam headers Eider's delivery can be told to trust (src/core/delivery/spam.ts); the MX always removes them. */
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

/** The authserv-id of an Authentication-Results value (RFC 8601 §2.2): its first token, comments skipped. */
export function authservIdOf(value: string): string {
  let rest = value.trim();
  while (rest.startsWith("(")) {
    let depth = 0;
    let i = 0;
    for (; i < rest.length; i++) {
      if (rest[i] === "\\") i++;
      else if (rest[i] === "(") depth++;
      else if (rest[i] === ")" && --depth === 0) break;
    }
    rest = rest.slice(i + 1).trim();
  }
  return (/^[^\s;()]+/.exec(rest)?.[0] ?? "").toLowerCase();
}

/**
 * The message with the untrusted copies of our header fields removed and `fields` (each "Name: value", without
 * line end) prepended in the order given.
 */
export function withTrustedHeaders(raw: Buffer, authservId: string, fields: string[]): Buffer {
  const end = headerEnd(raw);
  const kept: Buffer[] = fields.map((f) => Buffer.from(`${f}\r\n`, "utf8"));
  let start = 0;
  let dropping = false;
  let lineStart = 0;
  const ours = authservId.toLowerCase();
  while (lineStart < end) {
    let lineEnd = raw.indexOf("\r\n", lineStart, "latin1");
    lineEnd = lineEnd < 0 || lineEnd + 2 > end ? end : lineEnd + 2;
    const first = raw[lineStart];
    const continuation = first === 0x20 || first === 0x09;
    if (!continuation) {
      // A new field starts: flush what was kept so far when the previous one was dropped, decide on this one.
      const wasDropping = dropping;
      dropping = shouldDrop(raw, lineStart, end, ours);
      if (dropping && !wasDropping) kept.push(raw.subarray(start, lineStart));
      if (!dropping && wasDropping) start = lineStart;
    }
    lineStart = lineEnd;
  }
  kept.push(raw.subarray(dropping ? end : start));
  return Buffer.concat(kept);
}

/** Whether the field starting at `at` is one of ours written by somebody else (its whole value read for A-R). */
function shouldDrop(raw: Buffer, at: number, end: number, authservId: string): boolean {
  const colon = raw.indexOf(":", at, "latin1");
  const lineEnd = raw.indexOf("\r\n", at, "latin1");
  if (colon < 0 || (lineEnd >= 0 && colon > lineEnd)) return false;
  const name = raw.subarray(at, colon).toString("latin1").trim().toLowerCase();
  if (SPAM_FIELDS.has(name)) return true;
  if (name !== "authentication-results") return false;
  // The value runs over its continuation lines.
  let valueEnd = lineEnd < 0 ? end : lineEnd;
  while (valueEnd + 2 < end && (raw[valueEnd + 2] === 0x20 || raw[valueEnd + 2] === 0x09)) {
    const next = raw.indexOf("\r\n", valueEnd + 2, "latin1");
    valueEnd = next < 0 ? end : next;
  }
  return (
    authservIdOf(
      raw
        .subarray(colon + 1, valueEnd)
        .toString("utf8")
        .replace(/\r\n/g, ""),
    ) === authservId
  );
}
