import { describe, expect, it } from "vitest";
import { normalizeSubject } from "./subject.js";

describe("Mime: normalizeSubject", () => {
  it.each([
    ["Hello", "hello"],
    ["Re: Hello", "hello"],
    ["RE: re: Fwd: Hello", "hello"],
    ["Fw: Hello", "hello"],
    ["AW: WG: Hello", "hello"],
    ["Re[2]: Hello", "hello"],
    ["[eider-dev] Re: [PATCH] Hello", "hello"],
    ["Re:   Hello    world  ", "hello world"],
    ["Hello (fwd)", "hello"],
    ["Re:", ""],
    ["Regarding: the plan", "regarding: the plan"],
    ["Result: ok", "result: ok"],
    ["", ""],
  ])("%j -> %j", (subject, key) => {
    expect(normalizeSubject(subject)).toBe(key);
  });
});
