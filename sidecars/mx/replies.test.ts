import { describe, expect, it } from "vitest";
import { dataVerdict, passOn } from "./replies.js";

const r = (code: number, text: string) => ({ code, lines: [text] });

describe("dataVerdict: the one SMTP reply from LMTP's replies per recipient", () => {
  it("all stored: 250", () => {
    const v = dataVerdict([{ recipient: "a@x", reply: r(250, "2.0.0 ok") }]);
    expect(v.answer.code).toBe(250);
    expect(v.bounced).toEqual([]);
  });

  it("all temporary: 451 with the first reply's enhanced code", () => {
    const v = dataVerdict([
      { recipient: "a@x", reply: r(452, "4.2.2 The mailbox is full") },
      { recipient: "b@x", reply: r(451, "4.3.0 later") },
    ]);
    expect(v.answer).toEqual({ code: 451, text: "4.2.2 The mailbox is full" });
  });

  it("all permanent: their shared code, else 550", () => {
    expect(dataVerdict([{ recipient: "a@x", reply: r(554, "5.6.0 empty") }]).answer.code).toBe(554);
    const mixed = dataVerdict([
      { recipient: "a@x", reply: r(552, "5.2.2 full") },
      { recipient: "b@x", reply: r(550, "5.2.1 disabled") },
    ]);
    expect(mixed.answer).toEqual({ code: 550, text: "5.2.2 full" });
  });

  it("some stored, some temporary: 451 (the retry is deduplicated by Eider)", () => {
    const v = dataVerdict([
      { recipient: "a@x", reply: r(250, "2.0.0 ok") },
      { recipient: "b@x", reply: r(452, "4.2.2 full") },
    ]);
    expect(v.answer.code).toBe(451);
    expect(v.answer.text).toMatch(/^4\.3\.0 .*b@x/);
  });

  it("some stored, the rest permanent: 250 and the refused ones for a DSN", () => {
    const v = dataVerdict([
      { recipient: "a@x", reply: r(250, "2.0.0 ok") },
      { recipient: "b@x", reply: r(552, "5.2.2 full") },
    ]);
    expect(v.answer.code).toBe(250);
    expect(v.bounced.map((x) => x.recipient)).toEqual(["b@x"]);
  });
});

describe("passOn", () => {
  it("keeps an enhanced code and adds the class's generic one when there is none", () => {
    expect(passOn(r(550, "5.1.1 unknown"))).toEqual({ code: 550, text: "5.1.1 unknown" });
    expect(passOn(r(450, "busy"))).toEqual({ code: 450, text: "4.0.0 busy" });
  });
});
