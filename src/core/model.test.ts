import { describe, expect, it } from "vitest";
import { readMeta } from "./model.js";

describe("Core model: reading the stored metadata", () => {
  it("gives an empty record for what is not an object (a damaged row, a JSON array, nothing)", () => {
    for (const bad of [null, undefined, "text", 42, [], [{ imap: {} }]]) expect(readMeta(bad)).toEqual({});
  });

  it("gives the stored fields as they are, leaving absent ones absent (messages stored before `body`)", () => {
    const meta = { imap: { size: 3 }, attachments: [] };
    expect(readMeta(meta)).toBe(meta);
    expect(readMeta(meta).body).toBeUndefined();
  });
});
