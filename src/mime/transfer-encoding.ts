// Content-Transfer-Encoding (RFC 2045 §6): decoding bodies, and estimating decoded sizes without decoding.

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[65 + i] = HEX[97 + i] = 10 + i;

/** Decodes a body by its transfer encoding; unknown encodings (7bit, 8bit, binary, x-uuencode...) come back as is. */
export function decodeTransferEncoding(body: Buffer, encoding: string | null): Buffer {
  if (encoding === "base64") return Buffer.from(body.toString("latin1"), "base64");
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  return body;
}

/** Quoted-printable decoding (RFC 2045 §6.7), lenient: a "=" not followed by hex or a line break is kept. */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let o = 0;
  const length = body.length;
  for (let i = 0; i < length; i++) {
    const c = body[i];
    if (c !== 61) {
      out[o++] = c;
      continue;
    }
    const hi = i + 1 < length ? HEX[body[i + 1]] : -1;
    const lo = i + 2 < length ? HEX[body[i + 2]] : -1;
    if (hi >= 0 && lo >= 0) {
      out[o++] = (hi << 4) | lo;
      i += 2;
      continue;
    }
    // Soft line break: "=" then optional trailing whitespace then [CR]LF (or the end).
    let j = i + 1;
    while (j < length && (body[j] === 32 || body[j] === 9)) j++;
    if (j >= length) {
      i = j;
      continue;
    }
    if (body[j] === 13 && body[j + 1] === 10) {
      i = j + 1;
      continue;
    }
    if (body[j] === 10) {
      i = j;
      continue;
    }
    out[o++] = c;
  }
  return out.subarray(0, o);
}

/** Decoded size of a body without decoding it (for the attachment list). */
export function estimateDecodedSize(body: Buffer, encoding: string | null): number {
  if (encoding === "base64") {
    let chars = 0;
    let padding = 0;
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 47 && c <= 57) || c === 43) chars++;
      else if (c === 61) padding++;
    }
    return Math.floor(((chars + Math.min(padding, 2)) * 3) / 4) - Math.min(padding, 2);
  }
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body).length;
  return body.length;
}
