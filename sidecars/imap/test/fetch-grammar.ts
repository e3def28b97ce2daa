// A strict reader of FETCH responses by the RFC 3501 §9 grammar (msg-att, envelope, body), for tests: it throws
// at the first byte the grammar does not allow (a space between a multipart's parts, an empty address list, an
// unpadded date), and returns what it read so tests can compare it with what the message holds.

export interface Address {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

export interface ParsedEnvelope {
  date: string | null;
  subject: string | null;
  from: Address[] | null;
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

export interface ParsedBody {
  type: string;
  subtype: string;
  params: Array<[string, string]> | null;
  parts?: ParsedBody[];
  id?: string | null;
  description?: string | null;
  encoding?: string;
  size?: number;
  lines?: number;
  envelope?: ParsedEnvelope;
  body?: ParsedBody;
  /** The extension data, when sent (BODYSTRUCTURE). */
  extension?: { md5?: string | null; disposition: unknown; language: unknown; location: string | null };
}

export interface ParsedFetch {
  seq: number;
  /** Attribute name (as sent) -> value: numbers, strings (latin1) or Buffers for message data, parsed structures. */
  attributes: Map<string, unknown>;
}

/** Every `* n FETCH (...)` response in `data`, other untagged and tagged lines skipped. */
export function readFetchResponses(data: Buffer): ParsedFetch[] {
  const out: ParsedFetch[] = [];
  const r = new Reader(data);
  while (!r.done()) {
    if (r.startsWith(/^\* \d+ FETCH \(/)) out.push(r.fetchResponse());
    else r.skipLine();
  }
  return out;
}

const DATE_TIME =
  /^"(?: \d|\d\d)-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{4} \d\d:\d\d:\d\d [+-]\d{4}"/;

class Reader {
  private pos = 0;
  constructor(private readonly data: Buffer) {}

  done(): boolean {
    return this.pos >= this.data.length;
  }

  startsWith(pattern: RegExp): boolean {
    return pattern.test(this.peekText(40));
  }

  skipLine(): void {
    const lf = this.data.indexOf(10, this.pos);
    if (lf < 0) throw this.fail("a line without CRLF");
    // A literal at the end of a line belongs to it.
    const line = this.data.toString("latin1", this.pos, lf);
    this.pos = lf + 1;
    const literal = /\{(\d+)\}\r$/.exec(line);
    if (literal) {
      this.pos += Number(literal[1]);
      this.skipLine();
    }
  }

  fetchResponse(): ParsedFetch {
    const head = /^\* (\d+) FETCH \(/.exec(this.peekText(40))!;
    this.pos += head[0].length;
    const attributes = new Map<string, unknown>();
    for (;;) {
      const name = this.attributeName();
      this.expect(" ");
      if (attributes.has(name)) throw this.fail(`${name} twice`);
      attributes.set(name, this.attributeValue(name));
      if (this.peek() === ")") break;
      this.expect(" ");
    }
    this.expect(")\r\n");
    return { seq: Number(head[1]), attributes };
  }

  private attributeName(): string {
    const text = this.peekText(2000);
    const simple =
      /^(FLAGS|UID|INTERNALDATE|RFC822\.SIZE|RFC822\.HEADER|RFC822\.TEXT|RFC822|ENVELOPE|BODYSTRUCTURE|MODSEQ|BODY)(?=[ [])/.exec(
        text,
      );
    if (simple && !(simple[1] === "BODY" && text[4] === "[")) {
      this.pos += simple[0].length;
      return simple[1];
    }
    // section = "[" [section-spec] "]", then "<" number ">" (RFC 3501 msg-att-static)
    const section =
      /^BODY\[(?:(?:\d+(?:\.\d+)*)(?:\.(?:HEADER|TEXT|MIME|HEADER\.FIELDS(?:\.NOT)? \([^()]+\)))?|HEADER|TEXT|HEADER\.FIELDS(?:\.NOT)? \([^()]+\))?\](?:<\d+>)?/.exec(
        text,
      );
    if (!section) throw this.fail("a FETCH attribute name");
    this.pos += section[0].length;
    return section[0];
  }

  private attributeValue(name: string): unknown {
    switch (name) {
      case "FLAGS": {
        this.expect("(");
        const flags: string[] = [];
        while (this.peek() !== ")") {
          if (flags.length > 0) this.expect(" ");
          flags.push(this.match(/^\\?[^\s()\]{"\\%*]+|^\\\*/, "a flag"));
        }
        this.expect(")");
        return flags;
      }
      case "UID":
      case "RFC822.SIZE":
        return this.number();
      case "MODSEQ": {
        this.expect("(");
        const n = this.number();
        this.expect(")");
        return n;
      }
      case "INTERNALDATE":
        return this.match(DATE_TIME, "a date-time").slice(1, -1);
      case "ENVELOPE":
        return this.envelope();
      case "BODY":
        return this.body(false);
      case "BODYSTRUCTURE":
        return this.body(true);
      default:
        return this.nstringBytes();
    }
  }

  envelope(): ParsedEnvelope {
    this.expect("(");
    const date = this.nstring();
    this.expect(" ");
    const subject = this.nstring();
    const lists: Array<Address[] | null> = [];
    for (let i = 0; i < 6; i++) {
      this.expect(" ");
      lists.push(this.addressList());
    }
    this.expect(" ");
    const inReplyTo = this.nstring();
    this.expect(" ");
    const messageId = this.nstring();
    this.expect(")");
    const [from, sender, replyTo, to, cc, bcc] = lists;
    return { date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo, messageId };
  }

  /** `"(" 1*address ")" / nil`: no space between addresses. */
  private addressList(): Address[] | null {
    if (this.tryNil()) return null;
    this.expect("(");
    const out: Address[] = [];
    do {
      this.expect("(");
      const name = this.nstring();
      this.expect(" ");
      const adl = this.nstring();
      this.expect(" ");
      const mailbox = this.nstring();
      this.expect(" ");
      const host = this.nstring();
      this.expect(")");
      out.push({ name, adl, mailbox, host });
    } while (this.peek() === "(");
    this.expect(")");
    return out;
  }

  body(extensible: boolean): ParsedBody {
    this.expect("(");
    if (this.peek() === "(") {
      const parts: ParsedBody[] = [];
      while (this.peek() === "(") parts.push(this.body(extensible)); // 1*body: no space between
      this.expect(" ");
      const subtype = this.string();
      const out: ParsedBody = { type: "multipart", subtype, params: null, parts };
      if (this.peek() === " ") {
        if (!extensible) throw this.fail("no extension data in BODY");
        this.expect(" ");
        out.params = this.params();
        out.extension = this.extensionTail(undefined);
      }
      this.expect(")");
      return out;
    }
    const type = this.string();
    this.expect(" ");
    const subtype = this.string();
    this.expect(" ");
    const params = this.params();
    this.expect(" ");
    const id = this.nstring();
    this.expect(" ");
    const description = this.nstring();
    this.expect(" ");
    const encoding = this.string();
    this.expect(" ");
    const size = this.number();
    const out: ParsedBody = { type, subtype, params, id, description, encoding, size };
    const lower = `${type}/${subtype}`.toLowerCase();
    if (lower === "message/rfc822" || lower === "message/global") {
      this.expect(" ");
      out.envelope = this.envelope();
      this.expect(" ");
      out.body = this.body(extensible);
      this.expect(" ");
      out.lines = this.number();
    } else if (type.toLowerCase() === "text") {
      this.expect(" ");
      out.lines = this.number();
    }
    if (this.peek() === " ") {
      if (!extensible) throw this.fail("no extension data in BODY");
      this.expect(" ");
      const md5 = this.nstring();
      out.extension = this.extensionTail(md5);
    }
    this.expect(")");
    return out;
  }

  /** [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]] after md5 (one part) or params (multipart). */
  private extensionTail(md5: string | null | undefined): NonNullable<ParsedBody["extension"]> {
    const ext: NonNullable<ParsedBody["extension"]> = {
      md5,
      disposition: null,
      language: null,
      location: null,
    };
    if (this.peek() !== " ") return ext;
    this.expect(" ");
    if (!this.tryNil()) {
      this.expect("(");
      const type = this.string();
      this.expect(" ");
      ext.disposition = { type, params: this.params() };
      this.expect(")");
    }
    if (this.peek() !== " ") return ext;
    this.expect(" ");
    if (this.peek() === "(") {
      this.expect("(");
      const tags = [this.string()];
      while (this.peek() === " ") {
        this.expect(" ");
        tags.push(this.string());
      }
      this.expect(")");
      ext.language = tags;
    } else ext.language = this.nstring();
    if (this.peek() !== " ") return ext;
    this.expect(" ");
    ext.location = this.nstring();
    return ext;
  }

  /** `"(" string SP string *(SP string SP string) ")" / nil` */
  private params(): Array<[string, string]> | null {
    if (this.tryNil()) return null;
    this.expect("(");
    const out: Array<[string, string]> = [];
    do {
      if (out.length > 0) this.expect(" ");
      const name = this.string();
      this.expect(" ");
      out.push([name, this.string()]);
    } while (this.peek() === " ");
    this.expect(")");
    return out;
  }

  private nstring(): string | null {
    const bytes = this.nstringBytes();
    return bytes === null ? null : bytes.toString("utf8");
  }

  private string(): string {
    const s = this.nstring();
    if (s === null) throw this.fail("a string, not NIL");
    return s;
  }

  /** nstring as bytes: NIL, a quoted string (RFC 3501 QUOTED-CHAR, escapes only for `"` and `\`) or a literal. */
  private nstringBytes(): Buffer | null {
    if (this.tryNil()) return null;
    if (this.peek() === '"') {
      this.pos++;
      const bytes: number[] = [];
      for (;;) {
        const b = this.data[this.pos++];
        if (b === undefined || b === 10 || b === 13) throw this.fail("a closed quoted string");
        if (b === 0x22) break;
        if (b === 0x5c) {
          const next = this.data[this.pos++];
          if (next !== 0x22 && next !== 0x5c) throw this.fail('only \\" and \\\\ escaped');
          bytes.push(next);
        } else bytes.push(b);
      }
      return Buffer.from(bytes);
    }
    const literal = /^\{(\d+)\}\r\n/.exec(this.peekText(24));
    if (!literal) throw this.fail("NIL, a quoted string or a literal");
    this.pos += literal[0].length;
    const size = Number(literal[1]);
    const bytes = this.data.subarray(this.pos, this.pos + size);
    if (bytes.length !== size) throw this.fail(`${size} literal bytes`);
    this.pos += size;
    return Buffer.from(bytes);
  }

  private number(): number {
    return Number(this.match(/^\d+/, "a number"));
  }

  private tryNil(): boolean {
    if (this.peekText(3) !== "NIL") return false;
    this.pos += 3;
    return true;
  }

  private match(pattern: RegExp, what: string): string {
    const m = pattern.exec(this.peekText(200));
    if (!m) throw this.fail(what);
    this.pos += m[0].length;
    return m[0];
  }

  private expect(text: string): void {
    if (this.peekText(text.length) !== text) throw this.fail(JSON.stringify(text));
    this.pos += text.length;
  }

  private peek(): string {
    return this.peekText(1);
  }

  private peekText(n: number): string {
    return this.data.toString("latin1", this.pos, Math.min(this.data.length, this.pos + n));
  }

  private fail(what: string): Error {
    return new Error(
      `FETCH grammar: expected ${what} at byte ${this.pos}: ${JSON.stringify(this.peekText(60))}`,
    );
  }
}
