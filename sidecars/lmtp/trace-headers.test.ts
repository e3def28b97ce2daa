import { describe, expect, it } from "vitest";
import { rfc5322Date, traceHeaders } from "./trace-headers.js";

const base = {
  mailFrom: "sender@remote.test",
  recipient: "alice@example.com",
  clientName: "mx.remote.test",
  clientHostname: "localhost",
  clientAddress: "127.0.0.1",
  serverName: "eider.example.com",
  sessionId: "abc123",
  date: new Date("2026-12-01T00:05:09Z"),
};

describe("LMTP trace headers", () => {
  it("are Return-Path, Delivered-To and an RFC 5321 Received line, each ending in CRLF", () => {
    expect(traceHeaders(base)).toBe(
      "Return-Path: <sender@remote.test>\r\n" +
        "Delivered-To: alice@example.com\r\n" +
        "Received: from mx.remote.test (localhost [127.0.0.1])\r\n" +
        "\tby eider.example.com with LMTP id abc123\r\n" +
        "\tfor <alice@example.com>; Tue, 1 Dec 2026 00:05:09 +0000\r\n",
    );
  });

  it("write the null sender as <> and leave out a reverse name that is only the address", () => {
    const lines = traceHeaders({ ...base, mailFrom: "", clientHostname: "127.0.0.1" });
    expect(lines).toMatch(/^Return-Path: <>\r\n/);
    expect(lines).toContain("Received: from mx.remote.test ([127.0.0.1])\r\n");
  });

  it("never let a client's value start a header of its own", () => {
    const lines = traceHeaders({ ...base, clientName: "evil\r\nX-Injected: yes", mailFrom: "a>\r\nB: c@d" });
    expect(lines.split("\r\n")).toHaveLength(6); // five lines and the empty rest after the last CRLF
    expect(lines).not.toMatch(/\r\nX-Injected/);
    expect(lines).not.toMatch(/\r\nB:/);
  });

  it("name the protocol UTF8LMTP when the sender asked for SMTPUTF8", () => {
    expect(traceHeaders({ ...base, smtpUtf8: true })).toContain(
      "\tby eider.example.com with UTF8LMTP id abc123\r\n",
    );
  });

  it("name the protocol LMTPS (UTF8LMTPS) when the session went through STARTTLS", () => {
    expect(traceHeaders({ ...base, tls: true })).toContain("\tby eider.example.com with LMTPS id abc123\r\n");
    expect(traceHeaders({ ...base, tls: true, smtpUtf8: true })).toContain(" with UTF8LMTPS id ");
  });

  it("dates are RFC 5322 in UTC", () => {
    expect(rfc5322Date(new Date("2027-01-09T23:59:59Z"))).toBe("Sat, 9 Jan 2027 23:59:59 +0000");
  });
});
