import { describe, expect, it } from "vitest";
import { compileListPattern, joinReference } from "./list-pattern.js";

const matches = (reference: string, pattern: string, path: string) =>
  compileListPattern(reference, pattern).matches(path);

describe("IMAP LIST patterns (RFC 3501 §6.3.8)", () => {
  it("'*' matches across levels, '%' within one level", () => {
    expect(matches("", "*", "a/b/c")).toBe(true);
    expect(matches("", "%", "a")).toBe(true);
    expect(matches("", "%", "a/b")).toBe(false);
    expect(matches("", "a/%", "a/b")).toBe(true);
    expect(matches("", "a/%", "a/b/c")).toBe(false);
    expect(matches("", "a*", "ab/c")).toBe(true);
    expect(matches("", "a%c", "abc")).toBe(true);
  });

  it("joins the reference to the pattern", () => {
    expect(joinReference("a/", "b")).toBe("a/b");
    expect(joinReference("a/", "/b")).toBe("a/b");
    expect(joinReference("a", "b")).toBe("ab");
    expect(matches("Archive/", "%", "Archive/2024")).toBe(true);
    expect(matches("Archive/", "%", "Archive")).toBe(false);
  });

  it("matches INBOX and its inferiors in any case, other names exactly", () => {
    expect(matches("", "inbox", "INBOX")).toBe(true);
    expect(matches("", "InBoX/%", "INBOX/sub")).toBe(true);
    expect(matches("", "drafts", "Drafts")).toBe(false);
    expect(matches("", "inboxes", "INBOXES")).toBe(false);
  });

  it("treats regular-expression characters as themselves", () => {
    expect(matches("", "a.b(c)[d]+?$^\\", "a.b(c)[d]+?$^\\")).toBe(true);
    expect(matches("", "a.b", "axb")).toBe(false);
  });

  it("says whether the pattern ends in '%'", () => {
    expect(compileListPattern("", "a/%").endsInPercent).toBe(true);
    expect(compileListPattern("", "a/*").endsInPercent).toBe(false);
  });
});
