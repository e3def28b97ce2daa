import { describe, expect, it } from "vitest";
import { authservIdOf, withTrustedHeaders } from "./trusted-headers.js";

const b = (s: string) => Buffer.from(s, "latin1");

describe("withTrustedHeaders", () => {
  it("removes spam verdicts and Authentication-Results claiming our id (folded ones whole), keeps the rest byte for byte", () => {
    const raw = b(
      "Received: from a\r\n\tby b\r\n" +
        "X-Spam-Status: No, score=-100\r\n" +
        "Authentication-Results: MX.Eider.Test;\r\n spf=pass smtp.mailfrom=x\r\n" +
        "Authentication-Results: other.example; dkim=pass\r\n" +
        "Subject: caf\xe9\r\n" +
        "X-Rspamd-Score: -50\r\nX-RSPAMD-ACTION: no action\r\n" +
        "\r\n" +
        "X-Spam-Status: Yes (in the body: kept)\r\n",
    );
    const out = withTrustedHeaders(raw, "mx.eider.test", [
      "X-Rspamd-Score: 9.00",
      "Authentication-Results: mx.eider.test; none",
    ]);
    expect(out.toString("latin1")).toBe(
      "X-Rspamd-Score: 9.00\r\nAuthentication-Results: mx.eider.test; none\r\n" +
        "Received: from a\r\n\tby b\r\n" +
        "Authentication-Results: other.example; dkim=pass\r\n" +
        "Subject: caf\xe9\r\n" +
        "\r\n" +
        "X-Spam-Status: Yes (in the body: kept)\r\n",
    );
  });

  it("handles a message that is all header, one that ends on a dropped field, and one with no header", () => {
    expect(withTrustedHeaders(b("Subject: x\r\nX-Spam-Flag: YES\r\n"), "id", []).toString()).toBe(
      "Subject: x\r\n",
    );
    expect(withTrustedHeaders(b("\r\nbody\r\n"), "id", ["A: 1"]).toString()).toBe("A: 1\r\n\r\nbody\r\n");
    expect(withTrustedHeaders(b(""), "id", ["A: 1"]).toString()).toBe("A: 1\r\n");
  });
});

describe("authservIdOf", () => {
  it("reads the first token, skipping comments (RFC 8601 §2.2)", () => {
    expect(authservIdOf(" (a comment (nested)) Example.COM 1; spf=pass")).toBe("example.com");
    expect(authservIdOf("mx.example;none")).toBe("mx.example");
    expect(authservIdOf("")).toBe("");
  });
});
