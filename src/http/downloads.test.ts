import { describe, expect, it } from "vitest";
import { attachmentDisposition, servedContentType } from "./downloads.js";

describe("HTTP: download headers", () => {
  it("quotes a plain filename as it is", () =>
    expect(attachmentDisposition("report.pdf")).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    ));
  it("keeps quotes, backslashes, CRLF and path separators out of the quoted name", () => {
    const d = attachmentDisposition('a"b\\c\r\nSet-Cookie: x=1/../d.html');
    expect(d).toBe(
      `attachment; filename="a_b_cSet-Cookie_ x=1_.._d.html"; filename*=UTF-8''a%22b%5Cc` +
        `Set-Cookie%3A%20x%3D1%2F..%2Fd.html`,
    );
  });
  it("gives non-ASCII names an ASCII fallback and the exact name in filename*", () =>
    expect(attachmentDisposition("résumé (1).pdf")).toBe(
      `attachment; filename="r_sum_ (1).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.pdf`,
    ));
  it("names an empty filename", () => expect(attachmentDisposition("\r\n")).toMatch(/filename="download"/));
  it("serves passive media as declared and everything else as opaque bytes", () => {
    expect(servedContentType("application/pdf")).toBe("application/pdf");
    expect(servedContentType('Image/PNG; name="x.png"')).toBe("image/png");
    expect(servedContentType('text/plain; charset="UTF-8"; format=flowed')).toBe("text/plain; charset=utf-8");
    for (const active of [
      "text/html; charset=utf-8",
      "image/svg+xml",
      "application/xhtml+xml",
      "text/xml",
      "application/javascript",
      "multipart/x-mixed-replace",
      "x/unknown",
      "",
    ])
      expect(servedContentType(active)).toBe("application/octet-stream");
  });
});
