// `* n FETCH (...)` (RFC 3501 §7.4.2) as bytes: the attributes in order, message data as literals whose bytes
// may still be streaming in. INTERNALDATE is written as RFC 3501 `date-time`.
import { formatValue, type FormatOptions, type ImapValue } from "./values.js";

/** One attribute of a FETCH response: a value, or message data sent as a literal of known size. */
export type FetchAttribute =
  | { name: string; value: ImapValue }
  /** Bytes already formatted (BODYSTRUCTURE). */
  | { name: string; formatted: Buffer }
  | { name: string; literal: LiteralData };

export interface LiteralData {
  size: number;
  /** The bytes whole (a message kept together), or as they are read (a blob, a section). */
  bytes: Buffer | AsyncIterable<Buffer>;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 3501 `date-time`: "dd-Mon-yyyy hh:mm:ss +zzzz" (day padded with a space), in UTC. */
export function formatInternalDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const day = String(date.getUTCDate()).padStart(2, " ");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${day}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${time} +0000`;
}

/**
 * The pieces of one FETCH response in order: formatted bytes, and the literal data to stream between them.
 * The caller writes each Buffer as is and each LiteralData's bytes (exactly `size` of them).
 */
export function fetchResponsePieces(
  seq: number,
  attributes: FetchAttribute[],
  options: FormatOptions = {},
): Array<Buffer | LiteralData> {
  // Text is gathered as a string while it can be (names, numbers, literal headers: all ASCII), so the common
  // answer `* n FETCH (UID u BODY[] {size}` costs one Buffer.
  const pieces: Array<Buffer | LiteralData> = [];
  let parts: Buffer[] = [];
  let text = `* ${seq} FETCH (`;
  const flushText = () => {
    if (text) parts.push(Buffer.from(text, "latin1"));
    text = "";
  };
  const endPiece = () => {
    flushText();
    pieces.push(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    parts = [];
  };
  attributes.forEach((attribute, i) => {
    text += `${i > 0 ? " " : ""}${attribute.name} `;
    if ("literal" in attribute) {
      text += `{${attribute.literal.size}}\r\n`;
      endPiece();
      pieces.push(attribute.literal);
      return;
    }
    if ("value" in attribute && typeof attribute.value === "number") {
      text += String(attribute.value);
      return;
    }
    flushText();
    parts.push("value" in attribute ? formatValue(attribute.value, options) : attribute.formatted);
  });
  text += ")\r\n";
  endPiece();
  return pieces;
}
