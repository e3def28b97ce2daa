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
  const pieces: Array<Buffer | LiteralData> = [];
  let text: Buffer[] = [Buffer.from(`* ${seq} FETCH (`)];
  attributes.forEach((attribute, i) => {
    const name = Buffer.from(`${i > 0 ? " " : ""}${attribute.name} `);
    if ("value" in attribute) text.push(name, formatValue(attribute.value, options));
    else if ("formatted" in attribute) text.push(name, attribute.formatted);
    else {
      text.push(name, Buffer.from(`{${attribute.literal.size}}\r\n`));
      pieces.push(Buffer.concat(text), attribute.literal);
      text = [];
    }
  });
  text.push(CLOSE_LINE);
  pieces.push(Buffer.concat(text));
  return pieces;
}

const CLOSE_LINE = Buffer.from(")\r\n");
