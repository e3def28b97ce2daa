import { describe, expect, it } from "vitest";
import { removeForgedResults, resultsAuthservId } from "./forged-results.js";

const remove = (text: string) => {
  const { message, removed } = removeForgedResults(Buffer.from(text, "latin1"), "mx.eider.test");
  return [message.toString("latin1"), removed] as const;
};

describe("MX: Authentication-Results claiming our authserv-id (RFC 8601 §5)", () => {
  it.each([
    ["plain", "Authentication-Results: mx.eider.test; spf=pass", "mx.eider.test"],
    ["other case", "authentication-results: MX.EIDER.TEST; none", "mx.eider.test"],
    ["blank before the colon", "Authentication-Results : mx.eider.test; none", "mx.eider.test"],
    ["a version", "Authentication-Results: mx.eider.test 1; none", "mx.eider.test"],
    ["a comment first", "Authentication-Results: (we (really) are) mx.eider.test; none", "mx.eider.test"],
    ["folded", "Authentication-Results:\r\n\tmx.eider.test;\r\n dkim=pass", "mx.eider.test"],
    ["another server", "Authentication-Results: relay.example; spf=pass", "relay.example"],
    ["no authserv-id", "Authentication-Results: ;", null],
    ["another field", "ARC-Authentication-Results: i=1; mx.eider.test; none", null],
  ])("reads the authserv-id of a field with %s", (_what, field, id) => {
    expect(resultsAuthservId(field)).toBe(id);
  });

  it("removes only our fields, folded lines included, and keeps every other byte", () => {
    const head =
      "Received: from a\r\n by b\r\n" +
      "Authentication-Results: mx.eider.test;\r\n dkim=pass\r\n" +
      "From: x@y\r\n" +
      "Authentication-Results: relay.example; spf=pass\r\n" +
      "authentication-results: (x) MX.eider.test; dmarc=pass\r\n" +
      "Subject: caf\xe9\r\n";
    const body = "\r\nAuthentication-Results: mx.eider.test; in the body stays\r\n\xff\r\n";
    expect(remove(head + body)).toEqual([
      "Received: from a\r\n by b\r\nFrom: x@y\r\nAuthentication-Results: relay.example; spf=pass\r\nSubject: caf\xe9\r\n" +
        body,
      2,
    ]);
  });

  it("handles bare-LF messages, a message of headers only, and returns the same buffer when nothing is ours", () => {
    expect(remove("Authentication-Results: mx.eider.test; x\nFrom: a@b\n\nbody\n")).toEqual([
      "From: a@b\n\nbody\n",
      1,
    ]);
    expect(remove("From: a@b\r\nAuthentication-Results: mx.eider.test; x")).toEqual(["From: a@b\r\n", 1]);
    const raw = Buffer.from("From: a@b\r\nAuthentication-Results: other.example; x\r\n\r\nhi\r\n");
    expect(removeForgedResults(raw, "mx.eider.test").message).toBe(raw);
  });
});
