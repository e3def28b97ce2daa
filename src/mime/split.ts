// The MIME tree splitter: one pass over the bytes, recording where each part's header and body are
// (RFC 2045, RFC 2046 §5.1). Boundary rules follow Dovecot's message parser: a line that starts with
// "--" + an open boundary ends the part (the longest matching open boundary wins), the line break
// before it belongs to the boundary, a missing close delimiter ends at the parent's boundary or EOF.
import { BoundaryStack, type Boundary } from "./boundary-stack.js";
import {
  decodeHeaderBytes,
  firstHeader,
  parseHeaderFields,
  type HeaderCharset,
  type HeaderField,
} from "./header-block.js";
import { MAX_BOUNDARY_BYTES, MAX_MIME_DEPTH, MAX_MIME_PARTS, MAX_PARSED_HEADER_BYTES } from "./limits.js";
import { decodeParams, parseStructuredValue, type StructuredValue } from "./params.js";

/**
 * One node of the MIME tree, with byte offsets into the raw message.
 *
 * `partId` is the IMAP section number (RFC 3501 §6.4.5) that fetches this node's body: "1", "1.2".
 * A multipart message has the id of its prefix ("" for the top message, "2" for one inside part 2);
 * a single-part message has the id of its one body part ("1" for the top message, "2.1" inside part 2).
 * So a message/rfc822 part and the multipart message it holds share an id; the outer one comes first.
 */
export interface MimeNode {
  partId: string;
  /** The header block is raw[headerStart, headerEnd); the blank line after it ends at bodyStart. */
  headerStart: number;
  headerEnd: number;
  /** The body is raw[bodyStart, bodyEnd), without the line break that belongs to the next boundary. */
  bodyStart: number;
  bodyEnd: number;
  /** Lower-case "type/subtype"; text/plain (message/rfc822 inside multipart/digest) when missing or unreadable. */
  contentType: string;
  /** Content-Type parameters: lower-case names, RFC 2231 and RFC 2047 decoded. */
  params: Record<string, string>;
  /** Lower-case Content-Transfer-Encoding, null when absent. */
  encoding: string | null;
  /** Body bytes (bodyEnd - bodyStart), as IMAP BODYSTRUCTURE reports them. */
  size: number;
  /** Line feeds in the body for text/* and message/rfc822 (what IMAP reports), 0 for others. */
  lines: number;
  /** Multipart: the parts. message/rfc822: the one encapsulated message. Leaves: none. */
  children: MimeNode[];
  /** Lower-case Content-Disposition type, null when absent. */
  disposition: string | null;
  /** Content-Disposition filename, else Content-Type name, decoded. */
  filename: string | null;
  /** Content-ID as written (with its angle brackets), null when absent. */
  contentId: string | null;
}

/** Parsed header data the tree does not carry, kept beside it for envelope and BODYSTRUCTURE. */
export interface PartHeaders {
  fields: HeaderField[];
  contentType: StructuredValue | null;
  disposition: StructuredValue | null;
  charset: HeaderCharset;
}

export interface SplitResult {
  tree: MimeNode;
  headers: Map<MimeNode, PartHeaders>;
}

const LF = 10;
const CR = 13;
const DASH = 45;
const NL_DASH_DASH = Buffer.from("\n--", "latin1");

interface BoundaryHit {
  lineStart: number;
  /** After the boundary line's line feed. */
  lineEnd: number;
  boundary: Boundary;
  close: boolean;
}

interface EntityResult {
  node: MimeNode;
  hit: BoundaryHit | null;
}

/** Splits a raw message into its MIME tree. Never throws: what is not valid MIME becomes a leaf. */
export function splitMessage(raw: Buffer): SplitResult {
  const splitter = new Splitter(raw);
  const { node } = splitter.entity(0, "", true, false, 0);
  return { tree: node, headers: splitter.headers };
}

/**
 * Whether a part's body is parsed as a message (RFC 2046 §5.2.1). Only message/rfc822, as Dovecot: IMAP4rev1
 * clients read "message" "global" as a basic body, so an envelope there would break their BODYSTRUCTURE parser.
 */
export function isMessageType(contentType: string): boolean {
  return contentType === "message/rfc822";
}

class Splitter {
  readonly headers = new Map<MimeNode, PartHeaders>();
  private readonly stack = new BoundaryStack();
  private parts = 0;

  constructor(private readonly raw: Buffer) {}

  entity(start: number, id: string, isMessage: boolean, inDigest: boolean, depth: number): EntityResult {
    const raw = this.raw;
    const length = raw.length;
    this.parts++;

    let headerEnd = length;
    let bodyStart = length;
    let hit: BoundaryHit | null = null;
    for (let pos = start; pos < length;) {
      const first = raw[pos];
      if (first === LF || (first === CR && raw[pos + 1] === LF)) {
        headerEnd = pos;
        bodyStart = pos + (first === LF ? 1 : 2);
        break;
      }
      if (first === DASH && this.stack.size > 0) {
        hit = this.matchBoundary(pos);
        if (hit) {
          headerEnd = bodyStart = this.cutBefore(pos, start);
          break;
        }
      }
      const lf = raw.indexOf(LF, pos);
      if (lf < 0) break;
      pos = lf + 1;
    }

    const { text, charset } =
      headerEnd > start
        ? decodeHeaderBytes(raw, start, Math.min(headerEnd, start + MAX_PARSED_HEADER_BYTES))
        : EMPTY_HEADER;
    const fields = text ? parseHeaderFields(text) : [];
    const contentTypeValue = firstHeader(fields, "content-type");
    const contentType = contentTypeValue === null ? null : parseStructuredValue(contentTypeValue);
    const dispositionValue = firstHeader(fields, "content-disposition");
    const disposition = dispositionValue === null ? null : parseStructuredValue(dispositionValue);
    const type =
      contentType && /^[^/\s]+\/[^/\s]+$/.test(contentType.value)
        ? contentType.value
        : inDigest
          ? "message/rfc822"
          : "text/plain";
    const params = contentType ? decodeParams(contentType.params) : {};
    const dispositionParams = disposition ? decodeParams(disposition.params) : {};
    const multipart = type.startsWith("multipart/");
    const node: MimeNode = {
      partId: isMessage && !multipart ? (id ? `${id}.1` : "1") : id,
      headerStart: start,
      headerEnd,
      bodyStart,
      bodyEnd: bodyStart,
      contentType: type,
      params,
      encoding: readEncoding(firstHeader(fields, "content-transfer-encoding")),
      size: 0,
      lines: 0,
      children: [],
      disposition: disposition?.value || null,
      filename: dispositionParams.filename || params.name || null,
      contentId: firstHeader(fields, "content-id") || null,
    };
    this.headers.set(node, { fields, contentType, disposition, charset });

    const nested = depth < MAX_MIME_DEPTH && this.parts < MAX_MIME_PARTS;
    if (hit) {
      // The header ran into a boundary: no body. A message/rfc822 part still holds one (empty) message.
      if (isMessageType(type)) node.children.push(this.emptyMessage(bodyStart, node.partId));
      return { node, hit };
    }
    // The boundary as written: decoding "=?...?=" in it would break the match.
    const boundaryValue = contentType?.params.find((p) => p.name === "boundary")?.value ?? params.boundary;
    const boundary = boundaryValue
      ? Buffer.from(boundaryValue, charset).subarray(0, MAX_BOUNDARY_BYTES)
      : null;
    if (multipart && nested && boundary) {
      hit = this.multipartBody(node, boundary, type === "multipart/digest", depth);
    } else if (isMessageType(type) && nested) {
      const inner = this.entity(bodyStart, node.partId, true, false, depth + 1);
      node.children.push(inner.node);
      node.bodyEnd = inner.node.bodyEnd;
      hit = inner.hit;
    } else {
      hit = this.findBoundary(bodyStart);
      node.bodyEnd = hit ? this.cutBefore(hit.lineStart, bodyStart) : length;
    }
    node.size = node.bodyEnd - node.bodyStart;
    if (type.startsWith("text/") || isMessageType(type))
      node.lines = this.countLines(node.bodyStart, node.bodyEnd);
    return { node, hit };
  }

  /** An encapsulated message with no bytes at all, so that a message/rfc822 part always holds one. */
  private emptyMessage(at: number, prefix: string): MimeNode {
    const node: MimeNode = {
      partId: prefix ? `${prefix}.1` : "1",
      headerStart: at,
      headerEnd: at,
      bodyStart: at,
      bodyEnd: at,
      contentType: "text/plain",
      params: {},
      encoding: null,
      size: 0,
      lines: 0,
      children: [],
      disposition: null,
      filename: null,
      contentId: null,
    };
    this.headers.set(node, { fields: [], contentType: null, disposition: null, charset: "latin1" });
    return node;
  }

  /** Reads the parts of a multipart body; returns the boundary of an enclosing part that ended it, if any. */
  private multipartBody(node: MimeNode, bytes: Buffer, digest: boolean, depth: number): BoundaryHit | null {
    const own = this.stack.push(bytes);
    let hit = this.findBoundary(node.bodyStart);
    let count = 0;
    for (;;) {
      if (!hit) {
        node.bodyEnd = this.raw.length;
        break;
      }
      if (hit.boundary !== own) {
        node.bodyEnd = this.cutBefore(hit.lineStart, node.bodyStart);
        break;
      }
      if (hit.close) {
        // The epilogue runs to the enclosing boundary or EOF. With no epilogue, the line break after
        // "--boundary--" is the one that starts the enclosing delimiter (RFC 2046 §5.1.1 grammar).
        this.stack.pop();
        const closeEnd = hit.lineStart + 4 + bytes.length;
        hit = this.findBoundary(hit.lineEnd);
        node.bodyEnd = hit ? this.cutBefore(hit.lineStart, closeEnd) : this.raw.length;
        return hit;
      }
      if (this.parts >= MAX_MIME_PARTS) {
        hit = this.findBoundary(hit.lineEnd); // over the cap: the rest stays in the multipart body, unsplit
        continue;
      }
      count++;
      const child = this.entity(
        hit.lineEnd,
        node.partId ? `${node.partId}.${count}` : `${count}`,
        false,
        digest,
        depth + 1,
      );
      node.children.push(child.node);
      hit = child.hit;
    }
    this.stack.pop();
    return hit;
  }

  /** The next boundary line at or after `from` (a line start), or null at EOF. */
  private findBoundary(from: number): BoundaryHit | null {
    if (this.stack.size === 0) return null;
    const raw = this.raw;
    if (raw[from] === DASH) {
      const hit = this.matchBoundary(from);
      if (hit) return hit;
    }
    for (let pos = from; ;) {
      const at = raw.indexOf(NL_DASH_DASH, pos);
      if (at < 0) return null;
      const hit = this.matchBoundary(at + 1);
      if (hit) return hit;
      pos = at + 1;
    }
  }

  /** Whether the line at `lineStart` is "--" + an open boundary (prefix match, the longest open one wins). */
  private matchBoundary(lineStart: number): BoundaryHit | null {
    const raw = this.raw;
    if (raw[lineStart] !== DASH || raw[lineStart + 1] !== DASH) return null;
    const data = lineStart + 2;
    const lf = raw.indexOf(LF, data);
    let end = lf < 0 ? raw.length : lf;
    if (end > data && raw[end - 1] === CR) end--;
    // Unlike Dovecot, the line is not shortened by a trailing "--" first: a boundary may itself end in "--".
    const best = this.stack.match(raw, data, end);
    if (!best) return null;
    const after = data + best.bytes.length;
    return {
      lineStart,
      lineEnd: lf < 0 ? raw.length : lf + 1,
      boundary: best,
      close: after + 2 <= end && raw[after] === DASH && raw[after + 1] === DASH,
    };
  }

  /** The line break before a boundary line belongs to the boundary (RFC 2046 §5.1.1), unless it is before `floor`. */
  private cutBefore(lineStart: number, floor: number): number {
    let pos = lineStart;
    if (pos > floor && this.raw[pos - 1] === LF) {
      pos--;
      if (pos > floor && this.raw[pos - 1] === CR) pos--;
    }
    return pos;
  }

  private countLines(start: number, end: number): number {
    let lines = 0;
    for (let pos = this.raw.indexOf(LF, start); pos >= 0 && pos < end; pos = this.raw.indexOf(LF, pos + 1))
      lines++;
    return lines;
  }
}

const EMPTY_HEADER = { text: "", charset: "latin1" as HeaderCharset };

function readEncoding(value: string | null): string | null {
  if (!value) return null;
  const token = value
    .replace(/\([^)]*\)/g, "")
    .replace(/"/g, "")
    .trim()
    .split(/[\s;]/)[0]
    .toLowerCase();
  return token || null;
}
