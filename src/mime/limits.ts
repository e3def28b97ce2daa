// Every cap the MIME code applies, in one place. Values follow Dovecot's message parser where it has one.

/** Leaf bodies at least this large go to blobs (ParseOptions.blobThreshold). */
export const DEFAULT_BLOB_THRESHOLD_BYTES = 16 * 1024;
/** Non-text leaves at least this large go to blobs too: attachments dedupe across messages, text rarely does. */
export const DEFAULT_BLOB_FLOOR_BYTES = 1024;
/** Deeper nesting is kept as one opaque leaf (Dovecot's max_nested_mime_parts). */
export const MAX_MIME_DEPTH = 100;
/** More parts than this and the rest of the message is kept as leaves (Dovecot's max_total_mime_parts). */
export const MAX_MIME_PARTS = 10_000;
/** Longer boundaries are cut to this, as Dovecot does, so a hostile header cannot make every compare slow. */
export const MAX_BOUNDARY_BYTES = 200;
/** Characters of collapsed text in `preview`. */
export const PREVIEW_CHARS = 200;
/** Characters of body text kept for search; more costs index space and finds little. */
export const SEARCH_TEXT_MAX_CHARS = 64 * 1024;
/** Encoded bytes of one text part decoded for preview/search (base64 grows 4/3, HTML markup more). */
export const TEXT_DECODE_MAX_BYTES = 256 * 1024;
/**
 * Encoded bytes of display text (and, apart, of HTML) the API view decodes; past this the view is cut and says
 * so (`truncated`), as webmail clips long messages: a 50 MB text body would otherwise cost gigabytes to show.
 * The whole message stays available as its raw bytes.
 */
export const VIEW_MAX_BYTES = 2 * 1024 * 1024;
/** Header bytes of one part read into fields; more is kept byte-exact but not parsed (no real header is this big). */
export const MAX_PARSED_HEADER_BYTES = 1024 * 1024;
