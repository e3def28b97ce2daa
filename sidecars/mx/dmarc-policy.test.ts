import { describe, expect, it } from "vitest";
import { dmarcAction } from "./dmarc-policy.js";

describe("MX: the DMARC policy's verdict (RFC 7489 §6.6.4)", () => {
  it.each([
    [{ result: "pass", policy: "reject" }, 0, "none"],
    [{ result: "none" }, 0, "none"],
    [{ result: "temperror", policy: "reject" }, 0, "none"],
    [{ result: "fail", policy: "none" }, 0, "none"],
    [{ result: "fail", policy: "reject" }, 0.99, "reject"],
    [{ result: "fail", policy: "quarantine" }, 0.99, "quarantine"],
    [{ result: "fail", policy: "REJECT" }, 0, "reject"],
    // pct: inside the sample the policy, outside it the next milder one.
    [{ result: "fail", policy: "reject", pct: 20 }, 0.19, "reject"],
    [{ result: "fail", policy: "reject", pct: 20 }, 0.2, "quarantine"],
    [{ result: "fail", policy: "quarantine", pct: 20 }, 0.2, "none"],
    [{ result: "fail", policy: "reject", pct: 0 }, 0, "quarantine"],
    [{ result: "fail", policy: "reject", pct: 100 }, 0.999, "reject"],
    [{ result: "fail", policy: "reject", pct: Number.NaN }, 0.999, "reject"],
  ] as const)("%j with a draw of %d: %s", (input, draw, action) => {
    expect(dmarcAction(input, () => draw)).toBe(action);
  });
});
