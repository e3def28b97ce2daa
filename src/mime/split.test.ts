import { describe, expect, it } from "vitest";
import { splitMessage, type MimeNode } from "./split.js";

const crlf = (text: string): Buffer => Buffer.from(text.replace(/\n/g, "\r\n"), "utf8");

/** partId, contentType and body text of every node, in part order. */
function outline(raw: Buffer): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  const walk = (node: MimeNode): void => {
    out.push([node.partId, node.contentType, raw.toString("utf8", node.bodyStart, node.bodyEnd)]);
    node.children.forEach(walk);
  };
  walk(splitMessage(raw).tree);
  return out;
}

describe("Mime: splitMessage", () => {
  const cases: Array<[string, Buffer, Array<[string, string, string]>]> = [
    [
      "a single text part",
      crlf("Subject: hi\n\nHello\nworld\n"),
      [["1", "text/plain", "Hello\r\nworld\r\n"]],
    ],
    ["bare LF line ends", Buffer.from("Subject: hi\n\nHello\n"), [["1", "text/plain", "Hello\n"]]],
    ["no header at all", crlf("\nJust a body\n"), [["1", "text/plain", "Just a body\r\n"]]],
    ["a header and no body", crlf("Subject: only a header\n"), [["1", "text/plain", ""]]],
    ["an empty message", Buffer.alloc(0), [["1", "text/plain", ""]]],
    [
      "multipart/mixed with preamble, epilogue and an attachment",
      crlf(
        'Content-Type: multipart/mixed; boundary="b1"\n\npreamble\n--b1\nContent-Type: text/plain\n\nbody\n--b1\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b1--\nepilogue\n',
      ),
      [
        [
          "",
          "multipart/mixed",
          "preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b1--\r\nepilogue\r\n",
        ],
        ["1", "text/plain", "body"],
        ["2", "application/pdf", "JVBERi0="],
      ],
    ],
    [
      "nested multiparts",
      crlf(
        "Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\n\nplain\n--inner\nContent-Type: text/html\n\n<p>html</p>\n--inner--\n--outer\nContent-Type: image/png\n\nPNG\n--outer--\n",
      ),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "multipart/alternative", expect.any(String) as unknown as string],
        ["1.1", "text/plain", "plain"],
        ["1.2", "text/html", "<p>html</p>"],
        ["2", "image/png", "PNG"],
      ],
    ],
    [
      "a missing close delimiter (the last part runs to the end)",
      crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n"),
      [
        ["", "multipart/mixed", "--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n"],
        ["1", "text/plain", "one"],
        ["2", "text/plain", "two\r\n"],
      ],
    ],
    [
      "an inner multipart without close delimiter ended by the outer boundary",
      crlf(
        "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/related; boundary=ab\n\n--ab\n\ninner\n--a\n\nouter\n--a--\n",
      ),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "multipart/related", "--ab\r\n\r\ninner"],
        ["1.1", "text/plain", "inner"],
        ["2", "text/plain", "outer"],
      ],
    ],
    [
      "a boundary that is a prefix of the inner one",
      crlf(
        "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: multipart/alternative; boundary=x1\n\n--x1\n\nA\n--x1--\n--x\n\nB\n--x--\n",
      ),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "multipart/alternative", "--x1\r\n\r\nA\r\n--x1--"],
        ["1.1", "text/plain", "A"],
        ["2", "text/plain", "B"],
      ],
    ],
    [
      'a boundary that itself ends in "--"',
      crlf(
        'Content-Type: multipart/alternative; boundary="--b---"\n\n----b---\n\none\n----b---\n\ntwo\n----b-----\n',
      ),
      [
        ["", "multipart/alternative", expect.any(String) as unknown as string],
        ["1", "text/plain", "one"],
        ["2", "text/plain", "two"],
      ],
    ],
    [
      "message/rfc822 holding a multipart message",
      crlf(
        "Content-Type: multipart/mixed; boundary=m\n\n--m\n\nsee attached\n--m\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: multipart/alternative; boundary=n\n\n--n\n\ni1\n--n\n\ni2\n--n--\n--m--\n",
      ),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "text/plain", "see attached"],
        [
          "2",
          "message/rfc822",
          "Subject: inner\r\nContent-Type: multipart/alternative; boundary=n\r\n\r\n--n\r\n\r\ni1\r\n--n\r\n\r\ni2\r\n--n--",
        ],
        ["2", "multipart/alternative", "--n\r\n\r\ni1\r\n--n\r\n\r\ni2\r\n--n--"],
        ["2.1", "text/plain", "i1"],
        ["2.2", "text/plain", "i2"],
      ],
    ],
    [
      "message/rfc822 holding a single-part message",
      crlf(
        "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: message/rfc822\n\nSubject: inner\n\nhello\n--m--\n",
      ),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "message/rfc822", "Subject: inner\r\n\r\nhello"],
        ["1.1", "text/plain", "hello"],
      ],
    ],
    [
      "a multipart without boundary parameter",
      crlf("Content-Type: multipart/mixed\n\n--x\n\nbody\n"),
      [["", "multipart/mixed", "--x\r\n\r\nbody\r\n"]],
    ],
    [
      "a multipart whose boundary never appears",
      crlf("Content-Type: multipart/mixed; boundary=zz\n\nno parts here\n"),
      [["", "multipart/mixed", "no parts here\r\n"]],
    ],
    [
      "a part header that runs into the next boundary",
      crlf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n--b\n\nsecond\n--b--\n",
      ),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "text/html", ""],
        ["2", "text/plain", "second"],
      ],
    ],
    [
      "empty parts between adjacent boundaries",
      crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nx\n--b--\n"),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "text/plain", ""],
        ["2", "text/plain", "x"],
      ],
    ],
    [
      "multipart/digest parts default to message/rfc822",
      crlf("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d--\n"),
      [
        ["", "multipart/digest", expect.any(String) as unknown as string],
        ["1", "message/rfc822", "Subject: one\r\n\r\nfirst"],
        ["1.1", "text/plain", "first"],
      ],
    ],
    [
      'a forgotten ";" before the boundary parameter',
      crlf('Content-Type: multipart/mixed boundary="q"\n\n--q\n\nok\n--q--\n'),
      [
        ["", "multipart/mixed", expect.any(String) as unknown as string],
        ["1", "text/plain", "ok"],
      ],
    ],
    [
      "bare LF multipart",
      Buffer.from("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b--\n"),
      [
        ["", "multipart/mixed", "--b\n\none\n--b--\n"],
        ["1", "text/plain", "one"],
      ],
    ],
  ];

  it.each(cases)("splits %s", (_name, raw, expected) => {
    expect(outline(raw)).toEqual(expected);
  });

  it("reads 8-bit UTF-8 and Latin-1 headers without losing the part structure", () => {
    const utf8 = Buffer.from(
      'Subject: Grüße\r\nContent-Type: text/plain; name="Ünïcödé.txt"\r\n\r\nx',
      "utf8",
    );
    expect(splitMessage(utf8).tree.params.name).toBe("Ünïcödé.txt");
    const latin1 = Buffer.from(
      'Subject: Gr\xfc\xdfe\r\nContent-Type: text/plain; name="caf\xe9.txt"\r\n\r\nx',
      "latin1",
    );
    expect(splitMessage(latin1).tree.params.name).toBe("café.txt");
  });

  it("records offsets that tile the message: header, blank line, body", () => {
    const raw = crlf("A: 1\nB: 2\n\nbody\n");
    const { tree } = splitMessage(raw);
    expect(raw.toString("latin1", tree.headerStart, tree.headerEnd)).toBe("A: 1\r\nB: 2\r\n");
    expect(raw.toString("latin1", tree.headerEnd, tree.bodyStart)).toBe("\r\n");
    expect(tree.bodyEnd).toBe(raw.length);
  });

  it("counts lines of text parts as line feeds, as IMAP reports them", () => {
    const raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\na\nb\nc\n--b--\n");
    expect(splitMessage(raw).tree.children[0].lines).toBe(2);
  });

  it("keeps parsing past the nesting cap as one opaque leaf", () => {
    let raw = "";
    for (let i = 0; i < 150; i++) raw += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    raw += "\r\ndeep\r\n";
    const buffer = Buffer.from(raw);
    let depth = 0;
    for (let node = splitMessage(buffer).tree; node.children.length > 0; node = node.children[0]) depth++;
    expect(depth).toBeLessThanOrEqual(100);
  });
});
