import { describe, expect, it } from "vitest";
import { BoundaryStack } from "./boundary-stack.js";

const line = (text: string) => Buffer.from(text, "latin1");

describe("Mime: BoundaryStack", () => {
  it("matches an open boundary as a prefix of the line", () => {
    const stack = new BoundaryStack();
    const b = stack.push(line("abc"));
    expect(stack.match(line("abc"), 0, 3)).toBe(b);
    expect(stack.match(line("abc--  "), 0, 7)).toBe(b);
    expect(stack.match(line("ab"), 0, 2)).toBeNull();
    expect(stack.match(line("xabc"), 0, 4)).toBeNull();
  });

  it("prefers the longest open boundary, and the innermost of two equal ones", () => {
    const stack = new BoundaryStack();
    const outer = stack.push(line("x"));
    const inner = stack.push(line("x1"));
    expect(stack.match(line("x1"), 0, 2)).toBe(inner);
    expect(stack.match(line("x2"), 0, 2)).toBe(outer);
    const again = stack.push(line("x1"));
    expect(stack.match(line("x1"), 0, 2)).toBe(again);
    stack.pop();
    expect(stack.match(line("x1"), 0, 2)).toBe(inner);
  });

  it("forgets a closed boundary", () => {
    const stack = new BoundaryStack();
    const outer = stack.push(line("a"));
    stack.push(line("ab"));
    stack.pop();
    expect(stack.size).toBe(1);
    expect(stack.match(line("ab"), 0, 2)).toBe(outer);
  });

  it("costs one step per line byte however many boundaries are open", () => {
    const stack = new BoundaryStack();
    for (let i = 0; i < 100; i++) stack.push(line(`${"a".repeat(60)}${i}`));
    const raw = line(`${"--" + "a".repeat(62)}x\r\n`.repeat(200_000)); // 13 MB of near-miss lines
    let matched = 0;
    const started = performance.now();
    for (let at = 0; at < raw.length; at += 67) if (stack.match(raw, at + 2, at + 65)) matched++;
    expect(matched).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
