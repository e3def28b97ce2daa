// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3) unless the client enabled UTF8=ACCEPT (RFC 6855
// §3), then UTF-8 as sent. The core keeps paths as Unicode text with "/" between levels.
import { isUtf8 } from "node:buffer";
import { BadArguments } from "./request.js";

/** The hierarchy delimiter every LIST, LSUB and NAMESPACE answer names. */
export const DELIMITER = "/";

const MODIFIED_BASE64 = /^[A-Za-z0-9+,]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Unicode text as modified UTF-7: printable ASCII as itself ("&" as "&-"), the rest as base64 UTF-16BE. */
export function encodeModifiedUtf7(text: string): string {
  let out = "";
  let pending = "";
  const flush = () => {
    if (pending === "") return;
    const utf16 = Buffer.from(pending, "utf16le").swap16();
    out += "&" + utf16.toString("base64").replace(/=+$/, "").replace(/\//g, ",") + "-";
    pending = "";
  };
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === "&" ? "&-" : ch;
    } else pending += ch;
  }
  flush();
  return out;
}

/**
 * Modified UTF-7 as Unicode text; a BadArguments quoting the name when it is not in the one form the RFC allows
 * (a printable ASCII character encoded, bad base64, a lone surrogate, non-zero padding bits, an unclosed shift).
 */
export function decodeModifiedUtf7(name: string): string {
  let out = "";
  for (let i = 0; i < name.length;) {
    const ch = name[i];
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) throw invalidName(name, "has a byte that is not printable ASCII");
    if (ch !== "&") {
      out += ch;
      i++;
      continue;
    }
    const end = name.indexOf("-", i + 1);
    if (end < 0) throw invalidName(name, `has a "&" shift with no closing "-"`);
    const encoded = name.slice(i + 1, end);
    i = end + 1;
    if (encoded === "") {
      out += "&";
      continue;
    }
    if (!MODIFIED_BASE64.test(encoded))
      throw invalidName(name, `has "${encoded}", which is not modified base64`);
    const bytes = Buffer.from(encoded.replace(/,/g, "/"), "base64");
    if (bytes.length % 2 !== 0) throw invalidName(name, `has "${encoded}", which is not whole UTF-16 units`);
    out += Buffer.from(bytes).swap16().toString("utf16le");
  }
  // The RFC allows one encoding of each name: re-encoding must give back what was sent.
  if (LONE_SURROGATE.test(out) || encodeModifiedUtf7(out) !== name)
    throw invalidName(name, "is not in canonical modified UTF-7");
  return out;
}

/**
 * A mailbox name as the client sent it (an astring's bytes) -> the core's path. With UTF8=ACCEPT the bytes are
 * UTF-8 as they are (RFC 9051 §5.1 names); without it, ASCII is modified UTF-7 and 8-bit UTF-8 is still
 * accepted (RFC 6855 §3: servers SHOULD accept UTF-8 names). Refuses what RFC 6855 §3 forbids in any name.
 */
export function decodeMailboxName(bytes: Buffer, utf8Enabled: boolean): string {
  const ascii = bytes.every((b) => b < 0x80);
  if (!ascii && !isUtf8(bytes))
    throw new BadArguments(`Mailbox name "${escapeBytes(bytes)}" is neither modified UTF-7 nor UTF-8.`);
  const text = bytes.toString("utf8");
  const name = utf8Enabled || !ascii ? text : decodeModifiedUtf7(text);
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name))
    throw new BadArguments(`Mailbox name "${JSON.stringify(name).slice(1, -1)}" holds a control character.`);
  return name;
}

/** A core path as the client reads it: UTF-8 after ENABLE UTF8=ACCEPT, modified UTF-7 before. */
export function encodeMailboxName(path: string, utf8Enabled: boolean): string {
  return utf8Enabled ? path : encodeModifiedUtf7(path);
}

function invalidName(name: string, why: string): BadArguments {
  return new BadArguments(`Mailbox name "${name}" ${why}.`);
}

/** Bytes that are not UTF-8, quotable in an error line: printable ASCII as itself, the rest as \\xHH. */
function escapeBytes(bytes: Buffer): string {
  return [...bytes]
    .map((b) =>
      b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
}
