// Every cap an IMAP session has, and its default (imapflow lib/handler/limits.js keeps them in one place too).

export interface ImapLimits {
  /** Longest command line accepted, CRLF included (literals not counted); longer: BAD, line skipped. */
  maxLineBytes: number;
  /** Largest literal outside APPEND (a SEARCH string, a LOGIN password); larger: BAD / NO [TOOBIG]. */
  maxLiteralBytes: number;
  /** Largest APPEND literal; advertised as APPENDLIMIT (RFC 7889). The core's message size limit. */
  maxAppendBytes: number;
  /** Malformed or unknown commands before the session ends with BYE. */
  maxBadCommands: number;
  /** A session idle (not in IDLE) this long gets BYE (RFC 3501 §5.4: at least 30 minutes). */
  idleTimeoutMs: number;
  /** IDLE sends `* OK Still here` this often so NATs keep the connection (at most 2 minutes). */
  idleKeepaliveMs: number;
  /** Open connections per process; one more gets `* BYE [UNAVAILABLE]`. */
  maxConnections: number;
  /** Open authenticated connections per user per process; one more login gets `NO [LIMIT]`. */
  maxConnectionsPerUser: number;
}
// The daily download and upload allowances are the core's (`core.transfers.charge`, counted on the bus across
// processes, configured by [imap] download_bytes_per_day / upload_bytes_per_day), not a session cap.

export const DEFAULT_IMAP_LIMITS: ImapLimits = {
  maxLineBytes: 64 * 1024,
  maxLiteralBytes: 64 * 1024,
  maxAppendBytes: 50 * 1024 * 1024,
  maxBadCommands: 20,
  idleTimeoutMs: 30 * 60_000,
  idleKeepaliveMs: 2 * 60_000,
  maxConnections: 10_000,
  maxConnectionsPerUser: 50,
};
