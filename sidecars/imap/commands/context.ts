// What a command handler sees of its session, and how a command family declares its commands. The session
// (session.ts) implements ImapSession; the selected mailbox's view (selected.ts) implements SelectedMailbox.
// A handler: check, parse its arguments (protocol/parse/<family>.ts), call one core service, write the answer.
import type { Core, Principal } from "../../../src/core/index.js";
import type { ImapOptions } from "../options.js";
import type { ImapRequest } from "../protocol/request.js";
import type { SetRange } from "../protocol/sequence-set.js";
import type { ImapValue } from "../protocol/values.js";

export type ImapState = "not-authenticated" | "authenticated" | "selected" | "logout";

/** The selected mailbox as this session knows it: its UIDs by sequence number, and the changes not yet told. */
export interface SelectedMailbox {
  readonly mailboxId: string;
  readonly path: string;
  /** EXAMINE, or a mailbox the user may not change. */
  readonly readOnly: boolean;
  readonly uidValidity: number;
  /** Messages the client knows of: position i holds the UID of sequence number i + 1. */
  uids(): readonly number[];
  /** The sequence number of a UID the client knows of, or undefined. */
  seqOf(uid: number): number | undefined;
  /** The highest modseq the client has been told of (CONDSTORE). */
  readonly highestModseq: number;
  /**
   * UIDs a set names: a UID set (`byUid`) or a sequence-number set, against what the client knows. A sequence
   * number past the end throws BadArguments (RFC 3501 §6.4.8); UIDs that do not exist are skipped.
   */
  resolve(set: SetRange[], byUid: boolean): number[];
  /**
   * Writes the untagged updates waiting (EXISTS, EXPUNGE or VANISHED, FETCH FLAGS, FLAGS) and applies them to
   * the view; `expunges: false` holds EXPUNGE back (RFC 3501 §7.4.1: not during FETCH, STORE, SEARCH).
   */
  flush(session: ImapSession, options: { expunges: boolean }): Promise<void>;
  /**
   * This session's own flag change (STORE, FETCH setting \Seen) is in its answer: the watch's notice of it, at
   * or below `modseq`, need not be told again.
   */
  noteFlagsTold(uid: number, modseq: number): void;
  /** Stops listening for changes (CLOSE, UNSELECT, SELECT of another mailbox, logout). */
  close(): Promise<void>;
}

export interface ImapSession {
  readonly core: Core;
  readonly options: ImapOptions;
  /** A short id for log lines. */
  readonly id: string;
  state: ImapState;
  principal: Principal | null;
  username: string | null;
  selected: SelectedMailbox | null;
  /** Extensions the client turned on with ENABLE (or implicitly: CONDSTORE by a CONDSTORE-using command). */
  readonly enabled: Set<"CONDSTORE" | "QRESYNC" | "UTF8=ACCEPT">;
  readonly remoteAddress: string;
  /** Over TLS now (implicit port or after STARTTLS). */
  readonly secure: boolean;
  /** Over TLS, or from loopback or a configured trusted network (Dovecot's rule). */
  plaintextAllowed(): boolean;

  /** `* <text>\r\n`; text may hold values formatted with formatValue. */
  untagged(text: string | Buffer): void;
  /** `* <values separated by spaces>\r\n`, e.g. ["3", {atom: "FETCH"}, [...]] */
  untaggedValues(values: ImapValue[]): void;
  /** True once nothing more reaches the client (it has gone, or LOGOUT/BYE): a long answer stops early. */
  readonly closed: boolean;
  /** Writes bytes and waits while the socket's buffer is full (FETCH of many messages). */
  write(data: Buffer | string): Promise<void>;
  /** `+ <text>\r\n` and the client's next line (AUTHENTICATE, IDLE's DONE); null when the client has gone. */
  continuation(text: string): Promise<string | null>;
  /** After a tagged OK: switch to TLS (STARTTLS) or to deflate (COMPRESS). */
  afterResponse(step: () => void): void;
  /** The CAPABILITY list as of now (it changes with TLS and login). */
  capabilities(): string[];
  /** Ends the connection after what is written (LOGOUT, BYE). */
  end(): void;
  /**
   * A password was accepted: takes one of the user's connection slots and the authenticated state; false (and
   * nothing changed) when the user has maxConnectionsPerUser sessions open already.
   */
  logIn(principal: Principal & { kind: "user" }, username: string): boolean;
  /** STARTTLS: TLS from now on, read-ahead dropped (call it from afterResponse). */
  startTls(): void;
  /** COMPRESS DEFLATE: raw deflate both ways from now on (call it from afterResponse). */
  startCompression(): void;
  /** COMPRESS is active. */
  readonly compressed: boolean;
}

/** What a handler answers: the tagged status line. A thrown DomainError becomes `NO [code] message`. */
export interface TaggedResult {
  status: "OK" | "NO" | "BAD";
  /** A response code without brackets: "APPENDUID 38505 3955", "READ-WRITE". */
  code?: string;
  text: string;
}

export interface CommandSpec {
  /** Upper-case; UID commands as "UID FETCH". */
  name: string;
  /** States in which the command is allowed (checked by the session before the handler runs). */
  states: readonly ImapState[];
  /**
   * Whether untagged EXPUNGE may be sent before its tagged answer: false for FETCH, STORE, SEARCH (RFC 3501
   * §7.4.1); their UID forms may.
   */
  expunges: boolean;
  handle(session: ImapSession, request: ImapRequest): Promise<TaggedResult>;
}

export const ANY: readonly ImapState[] = ["not-authenticated", "authenticated", "selected"];
export const AUTHENTICATED: readonly ImapState[] = ["authenticated", "selected"];
export const SELECTED: readonly ImapState[] = ["selected"];
export const NOT_AUTHENTICATED: readonly ImapState[] = ["not-authenticated"];
