import { describe, expect, it } from "vitest";
import { maildirFlags } from "./maildir.js";
import { fromLineDate, readMbox } from "./mbox.js";
import { duration, formatProgress } from "./progress.js";

/** The mbox text fed in chunks of `size` bytes, so separators and lines fall across chunk borders. */
async function split(text: string | Buffer, size = 7, maxMessageBytes?: number) {
  const data = Buffer.isBuffer(text) ? text : Buffer.from(text, "latin1");
  async function* chunks() {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  }
  const out = [];
  for await (const m of readMbox(chunks(), { maxMessageBytes })) out.push(m);
  return out;
}
const raws = async (text: string, size?: number) =>
  (await split(text, size)).map((m) => m.raw.toString("latin1"));

describe("CLI import: reading an mbox", () => {
  it("splits at From lines, dropping the separator line and the blank line before the next one", async () => {
    expect(
      await raws(
        "From a Thu Aug 22 12:36:23 2002\nSubject: 1\n\none\n\nFrom b Fri Aug 23 10:00:00 2002\nSubject: 2\n\ntwo\n",
      ),
    ).toEqual(["Subject: 1\n\none\n", "Subject: 2\n\ntwo\n"]);
  });
  it("unquotes >From lines as mboxrd does (one > less) and keeps other > lines", async () => {
    expect(
      await raws("From a Thu Aug 22 12:36:23 2002\n\n>From here\n>>From there\n> quoted\n>From\n\n"),
    ).toEqual(["\nFrom here\n>From there\n> quoted\n>From\n"]);
  });
  it("keeps an unquoted From line inside a paragraph in its message", async () => {
    expect(await raws("From a Thu Aug 22 12:36:23 2002\n\nsee below\nFrom me to you\n\n")).toEqual([
      "\nsee below\nFrom me to you\n",
    ]);
  });
  it("keeps CRLF line ends and drops a CRLF blank separator line", async () => {
    expect(
      await raws(
        "From a Thu Aug 22 12:36:23 2002\r\nA: 1\r\n\r\nx\r\n\r\nFrom b Thu Aug 22 12:36:23 2002\r\nB: 2\r\n\r\ny\r\n",
        3,
      ),
    ).toEqual(["A: 1\r\n\r\nx\r\n", "B: 2\r\n\r\ny\r\n"]);
  });
  it("ends the last message at the end of the file, with or without a final line feed", async () => {
    expect(await raws("From a Thu Aug 22 12:36:23 2002\nA: 1\n\nlast")).toEqual(["A: 1\n\nlast"]);
  });
  it("reads the From line's date as UTC, or with its own zone, and reports the position", async () => {
    const text = "From someone@example.com  Thu Aug 22 12:36:23 2002\nA: 1\n\nx\n";
    const [m] = await split(text);
    expect(m.internalDate?.toISOString()).toBe("2002-08-22T12:36:23.000Z");
    expect(m.position).toBe(text.length);
    expect(fromLineDate("From x Thu Aug 22 12:36:23 2002 +0100")?.toISOString()).toBe(
      "2002-08-22T11:36:23.000Z",
    );
    expect(fromLineDate("From MAILER-DAEMON")).toBeUndefined();
  });
  it("counts a message past the cap without keeping it, and reads the next one whole", async () => {
    const big = `Subject: big\n\n${"y".repeat(100)}\n`;
    const mbox = `From a Thu Aug 22 12:36:23 2002\nA: 1\n\nx\n\nFrom b Thu Aug 22 12:36:23 2002\n${big}\nFrom c Thu Aug 22 12:36:23 2002\nC: 3\n\nz\n`;
    const out = await split(mbox, 7, 40);
    expect(out.map((m) => [m.raw.toString(), m.oversize])).toEqual([
      ["A: 1\n\nx\n", undefined],
      ["", big.length],
      ["C: 3\n\nz\n", undefined],
    ]);
  });
  it("drops a line longer than the cap as it arrives (no line feed in sight), counting it", async () => {
    const line = "q".repeat(500);
    const mbox = `From a Thu Aug 22 12:36:23 2002\nA: 1\n\n${line}\n\nFrom c Thu Aug 22 12:36:23 2002\nC: 3\n\nz\n`;
    const out = await split(mbox, 64, 100);
    expect(out.map((m) => [m.raw.toString(), m.oversize])).toEqual([
      ["", 6 + line.length + 1],
      ["C: 3\n\nz\n", undefined],
    ]);
  });
  it("refuses a file that does not start with a From line", async () => {
    await expect(split("Subject: not an mbox\n\nbody\n")).rejects.toThrow(/not an mbox/);
  });
});

describe("CLI import: Maildir flags and progress", () => {
  it("maps the :2, letters to flags and ignores unknown ones", () => {
    expect(maildirFlags("1700000000.M1P2.host,S=120:2,DFPRST")).toEqual([
      "\\Draft",
      "\\Flagged",
      "$Forwarded",
      "\\Answered",
      "\\Seen",
      "\\Deleted",
    ]);
    expect(maildirFlags("1700000000.M1P2.host:2,Sa")).toEqual(["\\Seen"]);
    expect(maildirFlags("1700000000.M1P2.host")).toEqual([]);
  });
  it("shows count, MB/s and ETA, with a bar only on a terminal", () => {
    const state = { count: 1234, bytes: 5e6, totalBytes: 2e7, elapsedMs: 2000 };
    expect(formatProgress(state, false)).toBe(" 25%  1,234 messages  2.5 MB/s  ETA 0:06");
    expect(formatProgress(state, true)).toBe(
      "[######------------------]   25%  1,234 messages  2.5 MB/s  ETA 0:06",
    );
    expect(duration(3725)).toBe("1:02:05");
  });
});
