import { describe, expect, it } from "vitest";
import { textToHtml } from "./text-html.js";

describe("Mime: text as HTML", () => {
  it("escapes, keeps paragraphs and line breaks, and links URLs and addresses", () => {
    expect(
      textToHtml("Hi <b>&\r\nsee (https://example.com/a?b=1&c=2).\r\n\r\nMail jo@example.com or www.x.org"),
    ).toBe(
      '<p>Hi &lt;b&gt;&amp;<br/>see (<a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>).</p>' +
        '<p>Mail <a href="mailto:jo@example.com">jo@example.com</a> or <a href="http://www.x.org">www.x.org</a></p>',
    );
  });

  it("does not link what only looks like a link", () => {
    expect(textToHtml("javascript:alert(1) a@b x@y.")).toBe("<p>javascript:alert(1) a@b x@y.</p>");
  });

  it("takes linear time on hostile text (one huge word, long punctuation runs)", () => {
    const hostile = "a".repeat(2_000_000) + ".".repeat(200_000) + "x " + "(".repeat(200_000) + "@";
    const started = performance.now();
    expect(textToHtml(hostile).length).toBeGreaterThan(2_000_000);
    // Generous: linear work is a few milliseconds; a quadratic pattern would take minutes.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
