// Bytes -> command lines. A line ends with LF (CRLF or a bare LF, as Dovecot accepts); one longer than the
// cap is reported once as too long and its bytes are dropped up to its end, so a client cannot grow memory.

export type ReadLine = { kind: "line"; text: string } | { kind: "too-long" };

export class LineReader {
  private parts: Buffer[] = [];
  private held = 0;
  private skipping = false;

  constructor(private readonly maxLineBytes: number) {}

  /** The complete lines in `chunk` (with what came before), in order; a partial line waits for more. */
  push(chunk: Buffer): ReadLine[] {
    const out: ReadLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl + 1);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.held + piece.length > this.maxLineBytes) {
        this.reset();
        out.push({ kind: "too-long" });
        continue;
      }
      const line = this.parts.length ? Buffer.concat([...this.parts, piece]) : piece;
      this.reset();
      out.push({ kind: "line", text: line.toString("utf8").replace(/\r?\n$/, "") });
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0 && !this.skipping) {
      if (this.held + rest.length > this.maxLineBytes) {
        this.reset();
        this.skipping = true;
        out.push({ kind: "too-long" });
      } else {
        this.parts.push(rest);
        this.held += rest.length;
      }
    }
    return out;
  }

  /** Forgets buffered input (after STLS, RFC 2595 §4: nothing sent before the handshake may be used). */
  reset(): void {
    this.parts = [];
    this.held = 0;
  }

  /** Bytes of the partial line held. */
  get pending(): number {
    return this.held;
  }
}
