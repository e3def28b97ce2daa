import { describe, expect, it } from "vitest";
import { withSpamVerdict } from "./trusted-headers.js";

const b = (s: string) => Buffer.from(s, "latin1");

describe("withSpamVerdict", () => {
  it("removes the sender's spam verdicts (folded ones whole, any case), keeps the rest byte for byte, prepends ours", () => {
    const raw = b(
      "Received: from a\r\n\tby b\r\n" +
        "X-Spam-Status: No,\r\n score=-100\r\n" +
        "Subject: caf\xe9\r\n" +
        "X-Rspamd-Score: -50\r\nX-RSPAMD-ACTION: no action\r\n" +
        "\r\n" +
        "X-Spam-Status: Yes (in the body: kept)\r\n",
    );
    expect(withSpamVerdict(raw, ["X-Rspamd-Score: 9.00"]).toString("latin1")).toBe(
      "X-Rspamd-Score: 9.00\r\n" +
        "Received: from a\r\n\tby b\r\n" +
        "Subject: caf\xe9\r\n" +
        "\r\n" +
        "X-Spam-Status: Yes (in the body: kept)\r\n",
    );
  });

  it("handles a message that is all header, one that ends on a dropped field, and one with no header", () => {
    expect(withSpamVerdict(b("Subject: x\r\nX-Spam-Flag: YES\r\n"), []).toString()).toBe("Subject: x\r\n");
    expect(withSpamVerdict(b("\r\nbody\r\n"), ["A: 1"]).toString()).toBe("A: 1\r\n\r\nbody\r\n");
    expect(withSpamVerdict(b(""), ["A: 1"]).toString()).toBe("A: 1\r\n");
  });
});
