import { describe, expect, it } from "vitest";
import { replyFor } from "./replies.js";

const temporary = { overQuotaPermanent: false };
const permanent = { overQuotaPermanent: true };

describe("LMTP replies for the core's recipient statuses", () => {
  it("maps each refusal to its reply and enhanced code", () => {
    const code = (status: Parameters<typeof replyFor>[0], errorCode?: string) => {
      const r = replyFor(status, "why", temporary, errorCode);
      return r && `${r.code} ${r.enhanced}`;
    };
    expect(code("ok")).toBeNull();
    expect(code("stored")).toBeNull();
    expect(code("unknown")).toBe("550 5.1.1");
    expect(code("invalid")).toBe("553 5.1.3");
    expect(code("disabled")).toBe("550 5.2.1");
    expect(code("over-quota")).toBe("452 4.2.2");
    expect(code("too-large")).toBe("552 5.3.4");
    expect(code("rejected")).toBe("554 5.6.0");
    expect(code("temporary-failure", "STORAGE_FULL")).toBe("452 4.3.1");
    expect(code("temporary-failure", "BUS_UNAVAILABLE")).toBe("451 4.3.0");
    expect(code("temporary-failure")).toBe("451 4.3.0");
  });

  it("makes over quota permanent when configured, and keeps the core's sentence", () => {
    expect(replyFor("over-quota", "The mailbox is full.", permanent)).toEqual({
      code: 552,
      enhanced: "5.2.2",
      text: "The mailbox is full.",
    });
  });
});
