import { describe, expect, it } from "vitest";
import { applyPrepared, sameBody, splitMessage } from "./prepared-message.js";
import type { ZoneMtaEnvelope, ZoneMtaHeaders } from "./zonemta-api.js";

const b = (s: string) => Buffer.from(s, "latin1");

/** Stands in for mailsplit's Headers: built from the raw header block, as ZoneMTA's is. */
class FakeHeaders implements ZoneMtaHeaders {
  constructor(readonly raw: Buffer) {}
  getList() {
    return this.raw
      .toString("latin1")
      .replace(/\r?\n$/, "")
      .split(/\r?\n(?![ \t])/)
      .map((line) => ({ key: line.slice(0, line.indexOf(":")).toLowerCase(), line }));
  }
  getFirst(key: string) {
    return (
      this.getList()
        .find((l) => l.key === key)
        ?.line.replace(/^[^:]*:\s*/, "") ?? ""
    );
  }
}

function envelope(header: string, to: string[]): ZoneMtaEnvelope {
  return {
    id: "q1",
    interface: "feeder",
    from: "alice@example.test",
    to,
    origin: "127.0.0.1",
    headers: new FakeHeaders(b(header)),
  };
}

describe("splitMessage", () => {
  it("cuts at the first empty line, CRLF or bare LF, keeping the last header line's break", () => {
    expect(splitMessage(b("A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore"))).toEqual({
      header: b("A: 1\r\nB: 2\r\n"),
      body: b("body\r\n\r\nmore"),
    });
    expect(splitMessage(b("A: 1\n\nbody\r\n\r\n"))).toEqual({ header: b("A: 1\n"), body: b("body\r\n\r\n") });
  });

  it("takes a message with no empty line as all header, and one that starts with it as all body", () => {
    expect(splitMessage(b("A: 1\r\n"))).toEqual({ header: b("A: 1\r\n"), body: b("") });
    expect(splitMessage(b("\r\nonly body"))).toEqual({ header: b(""), body: b("only body") });
  });
});

describe("sameBody", () => {
  it("treats bare LF and CRLF line ends alike, and nothing else", () => {
    expect(sameBody(b("a\nb\n"), b("a\r\nb\r\n"))).toBe(true);
    expect(sameBody(b("a\r\nb"), b("a\r\nc"))).toBe(false);
  });
});

describe("applyPrepared", () => {
  const submitted = b("From: alice@example.test\r\nBcc: eve@remote.test\r\nSubject: hi\r\n\r\nHello\r\n");
  const signed = b(
    "DKIM-Signature: v=1; a=rsa-sha256; d=example.test;\r\n\tb=abc\r\nFrom: alice@example.test\r\nSubject: hi\r\n\r\nHello\r\n",
  );

  it("puts the prepared header block in ZoneMTA's place and keeps only the remote recipients", () => {
    const env = envelope("From: alice@example.test\r\nBcc: eve@remote.test\r\nSubject: hi\r\n", [
      "bob@example.test",
      "carol@remote.test",
    ]);
    applyPrepared(env, submitted, { raw: signed, remoteRecipients: ["carol@remote.test"] });
    expect(env.headers).toBeInstanceOf(FakeHeaders);
    expect((env.headers as FakeHeaders).raw).toEqual(
      b(
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.test;\r\n\tb=abc\r\nFrom: alice@example.test\r\nSubject: hi\r\n",
      ),
    );
    expect(env.headers.getList().map((l) => l.key)).toEqual(["dkim-signature", "from", "subject"]);
    expect(env.to).toEqual(["carol@remote.test"]);
  });

  it("refuses a prepared message whose body differs from the one ZoneMTA stored, changing nothing", () => {
    const env = envelope("From: alice@example.test\r\n", ["carol@remote.test"]);
    const before = env.headers;
    expect(() =>
      applyPrepared(env, submitted, {
        raw: b("From: alice@example.test\r\n\r\nHello, changed\r\n"),
        remoteRecipients: ["carol@remote.test"],
      }),
    ).toThrow(/changed the body of message q1/);
    expect(env.headers).toBe(before);
    expect(env.to).toEqual(["carol@remote.test"]);
  });
});
