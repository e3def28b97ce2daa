// What a submission server refuses in the DATA bytes themselves, found while they stream in (chunk by chunk, so a
// CR at the end of one chunk and its LF at the start of the next are still one line end). Pure: the server reads
// the verdict after the final dot and answers it instead of queueing.
//
// - A bare LF or bare CR (RFC 5321 §2.3.8: "MUST NOT" be sent; a server may refuse). Refused rather than repaired:
//   an MSA that rewrote line ends would change the bytes the user's client signed or stored as its Sent copy,
//   and bare line ends are how SMTP smuggling hides a second message behind "<LF>.<LF>".
// - A NUL byte: not text under any body type this server offers (RFC 5321 §4.5.2 ASCII, RFC 6152 8BITMIME).
// - Bytes over 127 without BODY=8BITMIME (or SMTPUTF8, which implies it, RFC 6531 §3.1): RFC 5321 §2.4 makes
//   the DATA of a plain transaction 7-bit, and a relay would otherwise hand 8-bit to an MX that never agreed.
import type { SmtpReply } from "../shared/smtp-auth-replies.js";

const CR = 0x0d;
const LF = 0x0a;

export type DataProblem = "bare-lf" | "bare-cr" | "nul" | "eight-bit";

export class DataCheck {
  private problem: DataProblem | null = null;
  private pendingCr = false;
  private offset = 0;
  private problemAt = -1;

  /** `eightBitAllowed`: MAIL FROM said BODY=8BITMIME or SMTPUTF8. */
  constructor(private readonly eightBitAllowed: boolean) {}

  /** Feeds the next unstuffed DATA chunk. */
  push(chunk: Buffer): void {
    if (this.problem) return;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte !== LF) return this.found("bare-cr", i - 1);
        continue;
      }
      if (byte === CR) this.pendingCr = true;
      else if (byte === LF) return this.found("bare-lf", i);
      else if (byte === 0) return this.found("nul", i);
      else if (byte > 0x7f && !this.eightBitAllowed) return this.found("eight-bit", i);
    }
    this.offset += chunk.length;
  }

  /** The first problem in the bytes seen, or null; call once every chunk is in. */
  verdict(): { problem: DataProblem; offset: number } | null {
    if (!this.problem && this.pendingCr) return { problem: "bare-cr", offset: this.offset - 1 };
    return this.problem ? { problem: this.problem, offset: this.problemAt } : null;
  }

  private found(problem: DataProblem, at: number): void {
    this.problem = problem;
    this.problemAt = this.offset + at;
  }
}

/** The reply for a refused DATA: permanent, since sending the same bytes again can never succeed. */
export function dataProblemReply(problem: DataProblem, offset: number): SmtpReply {
  switch (problem) {
    case "bare-lf":
      return {
        code: 550,
        enhanced: "5.6.0",
        text: `The message has a bare LF at byte ${offset}; lines must end with CRLF (RFC 5321 section 2.3.8).`,
      };
    case "bare-cr":
      return {
        code: 550,
        enhanced: "5.6.0",
        text: `The message has a bare CR at byte ${offset}; lines must end with CRLF (RFC 5321 section 2.3.8).`,
      };
    case "nul":
      return { code: 550, enhanced: "5.6.0", text: `The message has a NUL byte at byte ${offset}.` };
    case "eight-bit":
      return {
        code: 550,
        enhanced: "5.6.1",
        text: `The message has 8-bit data at byte ${offset}; send MAIL FROM with BODY=8BITMIME.`,
      };
  }
}
