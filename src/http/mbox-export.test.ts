import { describe, expect, it } from "vitest";
import { readMbox } from "../cli/import/mbox.js";
import { asctime, mboxrd } from "./mbox-export.js";

const messageOf = (internalDate: Date, ...chunks: string[]) => ({
  internalDate,
  async *chunks() {
    for (const c of chunks) yield Buffer.from(c, "latin1");
  },
});

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p);
  return Buffer.concat(parts);
}

describe("HTTP: a mailbox as mboxrd", () => {
  it("writes the asctime form of the internal date, in UTC", () => {
    expect(asctime(new Date("2002-08-02T07:05:09Z"))).toBe("Fri Aug  2 07:05:09 2002");
  });

  it("quotes every >*From line, also when a chunk boundary cuts it, and reads back exactly", async () => {
    const d1 = new Date("2024-01-03T11:00:00Z");
    const d2 = new Date("2024-01-04T12:30:00Z");
    const first = "Subject: one\r\n\r\nFrom the start\r\n>From once\r\n>>From twice\r\nnot From here\r\n";
    const second = "Subject: two\n\nFrom x\nno final line feed";
    const mbox = await collect(
      mboxrd([
        // the first message arrives in chunks that split "From" and a CRLF
        messageOf(d1, first.slice(0, 19), first.slice(19, 23), first.slice(23, 40), first.slice(40)),
        messageOf(d2, second),
      ]),
    );
    const text = mbox.toString("latin1");
    expect(text).toContain("\r\n>From the start\r\n>>From once\r\n>>>From twice\r\nnot From here\r\n");
    expect(text.startsWith("From MAILER-DAEMON Wed Jan  3 11:00:00 2024\n")).toBe(true);
    const back = [];
    for await (const m of readMbox([mbox])) back.push(m);
    expect(back.map((m) => m.raw.toString("latin1"))).toEqual([first, `${second}\n`]);
    expect(back.map((m) => m.internalDate)).toEqual([d1, d2]);
  });
});
