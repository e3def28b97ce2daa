// IMAP BODYSTRUCTURE (RFC 3501 §7.4.2) as JSON, with Dovecot's choices where the RFC leaves room.
// The IMAP server writes the fields in RFC order (see README.md); BODY (non-extensible) is the same
// without the extension fields (md5, disposition, language, location; for multiparts also params).
import { buildEnvelope, type Envelope } from "./envelope.js";
import { firstHeader } from "./header-block.js";
import { joinParamContinuations, type RawParam } from "./params.js";
import { isMessageType, type MimeNode, type PartHeaders } from "./split.js";

export interface BodyDisposition {
  type: string;
  params: RawParam[] | null;
}

interface BodyExtension {
  disposition: BodyDisposition | null;
  language: string[] | null;
  location: string | null;
}

export interface MultipartBody extends BodyExtension {
  multipart: true;
  parts: BodyStructure[];
  subtype: string;
  params: RawParam[] | null;
}

export interface SinglePartBody extends BodyExtension {
  multipart: false;
  type: string;
  subtype: string;
  params: RawParam[] | null;
  id: string | null;
  description: string | null;
  encoding: string;
  size: number;
  /** message/rfc822 only: the encapsulated message's envelope and structure. */
  envelope?: Envelope;
  body?: BodyStructure;
  /** text/* and message/rfc822 only. */
  lines?: number;
  md5: string | null;
}

export type BodyStructure = MultipartBody | SinglePartBody;

const DEFAULT_CHARSET: RawParam = { name: "charset", value: "us-ascii" };

/** A multipart without parts is not valid IMAP: write one empty text/plain part instead, as Dovecot does. */
const EMPTY_PART: SinglePartBody = {
  multipart: false,
  type: "text",
  subtype: "plain",
  params: [DEFAULT_CHARSET],
  id: null,
  description: null,
  encoding: "7bit",
  size: 0,
  lines: 0,
  md5: null,
  disposition: null,
  language: null,
  location: null,
};

/** Builds the BODYSTRUCTURE of a node (the whole message when given the tree root). */
export function buildBodyStructure(
  node: MimeNode,
  headers: ReadonlyMap<MimeNode, PartHeaders>,
): BodyStructure {
  const part = headers.get(node);
  const fields = part?.fields ?? [];
  const slash = node.contentType.indexOf("/");
  const type = node.contentType.slice(0, slash);
  const subtype = node.contentType.slice(slash + 1);
  const written =
    part?.contentType && part.contentType.value === node.contentType ? part.contentType.params : null;
  let params = written && written.length > 0 ? joinParamContinuations(written) : null;
  const extension: BodyExtension = {
    disposition: part?.disposition?.value
      ? {
          type: part.disposition.value,
          params: part.disposition.params.length > 0 ? joinParamContinuations(part.disposition.params) : null,
        }
      : null,
    language: splitLanguages(firstHeader(fields, "content-language")),
    location: firstHeader(fields, "content-location") || null,
  };

  if (type === "multipart") {
    const parts = node.children.map((child) => buildBodyStructure(child, headers));
    return { multipart: true, parts: parts.length > 0 ? parts : [EMPTY_PART], subtype, params, ...extension };
  }
  if (type === "text" && !params?.some((p) => p.name === "charset"))
    params = [...(params ?? []), DEFAULT_CHARSET];
  const body: SinglePartBody = {
    multipart: false,
    type,
    subtype,
    params,
    id: firstHeader(fields, "content-id") || null,
    description: firstHeader(fields, "content-description") || null,
    encoding: node.encoding ?? "7bit",
    size: node.size,
    md5: firstHeader(fields, "content-md5") || null,
    ...extension,
  };
  if (isMessageType(node.contentType)) {
    const inner = node.children[0];
    if (!inner) return { ...body, type: "application", subtype: "octet-stream" }; // past the nesting cap
    body.envelope = buildEnvelope(headers.get(inner)?.fields ?? []);
    body.body = buildBodyStructure(inner, headers);
    body.lines = node.lines;
  } else if (type === "text") {
    body.lines = node.lines;
  }
  return body;
}

function splitLanguages(value: string | null): string[] | null {
  if (!value) return null;
  const tags = value
    .replace(/\([^)]*\)/g, "")
    .split(/[\s,]+/)
    .filter(Boolean);
  return tags.length > 0 ? tags : null;
}
