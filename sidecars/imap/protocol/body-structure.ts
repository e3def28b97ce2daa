// BODYSTRUCTURE and BODY (RFC 3501 §7.4.2, `body` in §9) from the structure delivery stored. A multipart's
// parts follow each other with no space between them (`1*body SP media-subtype`), so this writes bytes rather
// than one ImapValue list. BODY is the same without the extension data.
import type { BodyDisposition, BodyStructure, RawParam } from "../../../src/core/index.js";
import { formatEnvelope } from "./envelope.js";
import { formatValue, type FormatOptions, type ImapValue } from "./values.js";

export interface BodyStructureOptions extends FormatOptions {
  /** BODYSTRUCTURE (true) or BODY (false: no md5, disposition, language, location; no multipart params). */
  extensible: boolean;
}

export function formatBodyStructure(body: BodyStructure, options: BodyStructureOptions): Buffer {
  const out: Buffer[] = [];
  write(body, out, options);
  return Buffer.concat(out);
}

const OPEN = Buffer.from("(");
const CLOSE = Buffer.from(")");
const SPACE = Buffer.from(" ");

function write(body: BodyStructure, out: Buffer[], options: BodyStructureOptions): void {
  out.push(OPEN);
  if (body.multipart) {
    for (const part of body.parts) write(part, out, options);
    const fields: ImapValue[] = [body.subtype];
    if (options.extensible)
      fields.push(params(body.params), disposition(body.disposition), language(body.language), body.location);
    out.push(SPACE, values(fields, options));
  } else {
    const fields: ImapValue[] = [
      body.type,
      body.subtype,
      params(body.params),
      body.id,
      body.description,
      body.encoding,
      body.size,
    ];
    out.push(values(fields, options));
    if (body.envelope && body.body) {
      out.push(SPACE, formatEnvelope(body.envelope, options), SPACE);
      write(body.body, out, options);
    }
    if (body.lines !== undefined) out.push(SPACE, formatValue(body.lines));
    if (options.extensible)
      out.push(
        SPACE,
        values([body.md5, disposition(body.disposition), language(body.language), body.location], options),
      );
  }
  out.push(CLOSE);
}

/** Values separated by spaces, without the list's parentheses. */
function values(items: ImapValue[], options: FormatOptions): Buffer {
  const list = formatValue(items, options);
  return list.subarray(1, list.length - 1);
}

/** `body-fld-param`: ("name" "value" ...) or NIL. */
function params(list: RawParam[] | null): ImapValue {
  if (!list || list.length === 0) return null;
  return list.flatMap((p) => [p.name, p.value]);
}

/** `body-fld-dsp`: ("type" params) or NIL. */
function disposition(d: BodyDisposition | null): ImapValue {
  return d ? [d.type, params(d.params)] : null;
}

/** `body-fld-lang`: one language as a string, several as a list, none as NIL. */
function language(tags: string[] | null): ImapValue {
  if (!tags || tags.length === 0) return null;
  return tags.length === 1 ? tags[0] : tags;
}
