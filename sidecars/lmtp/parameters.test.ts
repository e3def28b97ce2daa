// The MAIL FROM / RCPT TO checks smtp-server leaves to the application: announced parameters only, and
// non-ASCII addresses only under SMTPUTF8, unreadable bytes never.
import { describe, expect, it } from "vitest";
import { mailFromRefusal, rcptToRefusal } from "./parameters.js";

describe("LMTP MAIL FROM and RCPT TO parameters", () => {
  it("takes the announced MAIL FROM parameters and nothing else (555 5.5.4)", () => {
    expect(mailFromRefusal("a@b.test", { SIZE: "10", BODY: "8BITMIME", SMTPUTF8: true })).toBeNull();
    expect(mailFromRefusal("", false)).toBeNull();
    expect(mailFromRefusal("a@b.test", { SIZE: "10", "X\0Y": "1" })).toEqual({
      code: 555,
      enhanced: "5.5.4",
      text: "The parameter X?Y is not supported here.",
    });
    expect(mailFromRefusal("a@b.test", { RET: "FULL" })?.code).toBe(555); // DSN is not offered
    expect(rcptToRefusal("a@b.test", { NOTIFY: "NEVER" }, false)?.code).toBe(555);
    expect(rcptToRefusal("a@b.test", false, false)).toBeNull();
  });

  it("refuses a non-ASCII address without SMTPUTF8 (553 5.6.7) and takes it with", () => {
    expect(mailFromRefusal("jörg@example.org", false)).toMatchObject({ code: 553, enhanced: "5.6.7" });
    expect(mailFromRefusal("jörg@example.org", { SMTPUTF8: true })).toBeNull();
    expect(rcptToRefusal("jörg@bücher.de", false, false)).toMatchObject({ code: 553, enhanced: "5.6.7" });
    expect(rcptToRefusal("jörg@bücher.de", false, true)).toBeNull();
  });

  it("refuses bytes that were not UTF-8 even under SMTPUTF8 (501)", () => {
    expect(mailFromRefusal("\ufffd\ufffd@b.test", { SMTPUTF8: true })).toMatchObject({
      code: 501,
      enhanced: "5.1.7",
    });
    expect(rcptToRefusal("a\ufffd@b.test", false, true)).toMatchObject({ code: 501, enhanced: "5.1.3" });
  });
});
