// Every cap a POP3 session has, and its default. RFC 2449 §4 lets a command line be 255 octets; AUTH's
// initial response may be longer (RFC 5034 §4), so the cap is the larger of the two.

export interface Pop3Limits {
  /** Longest command line accepted, CRLF included; a longer one is answered -ERR and skipped. */
  maxLineBytes: number;
  /** Commands read ahead of the one running (PIPELINING); past this the socket stops being read. */
  maxPipelined: number;
  /** Unknown or malformed commands before the session is closed. */
  maxBadCommands: number;
  /** A session idle this long is closed (RFC 1939 §3: at least 10 minutes). */
  idleTimeoutMs: number;
  /** Open connections per listener; one more is answered -ERR [SYS/TEMP] and closed. */
  maxConnections: number;
}

export const DEFAULT_POP3_LIMITS: Pop3Limits = {
  maxLineBytes: 2048,
  maxPipelined: 64,
  maxBadCommands: 10,
  idleTimeoutMs: 10 * 60_000,
  maxConnections: 1000,
};
