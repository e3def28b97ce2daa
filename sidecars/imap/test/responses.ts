// What a test client reads from an IMAP server: the byte stream cut into whole responses (RFC 3501 §7), each
// a line that may carry literals (`{n}` CRLF and n bytes, then the line goes on). Used by the raw client and by
// the fuzz run to count answers; it never interprets a literal's bytes, so a message body cannot fake a reply.

export interface ImapResponse {
  /** "*" (untagged), "+" (continuation) or the command's tag. */
  tag: string;
  /** OK, NO, BAD, BYE or PREAUTH when the response is a status response, else null. */
  status: string | null;
  /** The response code's first word without brackets ("TRYCREATE", "CAPABILITY"), or null. */
  code: string | null;
  /** The response's text with each literal's bytes replaced by `{n}`: what a test matches against. */
  line: string;
  literals: Buffer[];
  /** Every byte of it, CRLFs and literals included. */
  raw: Buffer;
}

const LITERAL_AT_END = /\{(\d{1,12})\}$/;
const STATUS = /^(\S+) (OK|NO|BAD|BYE|PREAUTH)(?: \[([^\]\s]*)[\] ])?/i;

/** The complete responses in `bytes` from `start`, and where the first incomplete one begins. */
export function splitResponses(bytes: Buffer, start = 0): { responses: ImapResponse[]; end: number } {
  const responses: ImapResponse[] = [];
  let at = start;
  for (;;) {
    const one = responseAt(bytes, at);
    if (!one) return { responses, end: at };
    responses.push(one.response);
    at = one.end;
  }
}

function responseAt(bytes: Buffer, start: number): { response: ImapResponse; end: number } | null {
  let line = "";
  const literals: Buffer[] = [];
  let at = start;
  for (;;) {
    const lf = bytes.indexOf(0x0a, at);
    if (lf < 0) return null;
    const piece = bytes.subarray(at, bytes[lf - 1] === 0x0d && lf - 1 >= at ? lf - 1 : lf).toString("latin1");
    line += piece;
    at = lf + 1;
    const literal = LITERAL_AT_END.exec(piece);
    if (!literal) break;
    const size = Number(literal[1]);
    if (bytes.length < at + size) return null;
    literals.push(bytes.subarray(at, at + size));
    at += size;
  }
  const tag = line.split(" ", 1)[0];
  const status = STATUS.exec(line);
  return {
    response: {
      tag,
      status: status ? status[2].toUpperCase() : null,
      code: status?.[3] ? status[3].toUpperCase() : null,
      line,
      literals,
      raw: bytes.subarray(start, at),
    },
    end: at,
  };
}

/**
 * How many answers the bytes hold, for a client that waits for one before its next command: tagged responses
 * and `+` continuations, and the greeting (the first response, untagged).
 */
export function countImapAnswers(bytes: Buffer): number {
  const { responses } = splitResponses(bytes);
  const greeting = responses[0]?.tag === "*" ? 1 : 0;
  return greeting + responses.filter((r) => r.tag !== "*").length;
}

/**
 * The answers by kind, for the fuzz run's tally: "OK", "NO [TRYCREATE]", "BAD", "+", "BYE", and "OK login"
 * for a tagged OK to one of `loginTags` (the session's LOGIN and AUTHENTICATE commands).
 */
export function imapAnswerKinds(bytes: Buffer, loginTags: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const r of splitResponses(bytes).responses) {
    if (r.tag === "+") out.push("+");
    else if (r.tag === "*") {
      if (r.status === "BYE") out.push(r.code ? `BYE [${r.code}]` : "BYE");
    } else if (r.status) {
      if (r.status === "OK" && loginTags.has(r.tag)) out.push("OK login");
      else out.push(r.code && r.status !== "OK" ? `${r.status} [${r.code}]` : r.status);
    } else out.push("unparsable");
  }
  return out;
}
