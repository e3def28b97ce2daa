// The parts of ZoneMTA's plugin API (zone-mta 3.10, plugins/README.md) the Eider plugin uses. ZoneMTA is plain
// JavaScript without types: these describe what it hands to a plugin, no more.
import type { Readable, Writable } from "node:stream";

/** smtp-server's session, plus what ZoneMTA and this plugin put on it. */
export interface ZoneMtaSession {
  id: string;
  remoteAddress: string;
  /** The EHLO/HELO name. */
  hostNameAppearsAs?: string;
  /** Which ZoneMTA interface took the connection ("feeder"). */
  interface?: string;
  /** The transaction so far; MAIL FROM's parameters (BODY=8BITMIME, SMTPUTF8) in `args`, names upper case. */
  envelope?: { mailFrom?: { address: string; args?: Record<string, string | boolean> } | false };
  /** Set by the plugin's AUTH hook: who the client proved to be. */
  eider?: SenderIdentity;
}

/** Who sent a message through ZoneMTA: a user of Eider, or Eider itself (its outbox hands mail over). */
export type SenderIdentity =
  | { kind: "user"; userId: string; username: string }
  /** Eider's own outbox: the message was checked, signed and copied to Sent before it was handed over. */
  | { kind: "eider" };

export interface ZoneMtaAuth {
  username: string;
  password: string;
  method: string;
}

/** mailsplit's Headers object, which ZoneMTA keeps the header block in (`envelope.headers`). */
export interface ZoneMtaHeaders {
  getList(): Array<{ key: string; line: string }>;
  getFirst(key: string): string;
}

/** The envelope ZoneMTA builds for one message; stored with it as JSON. */
export interface ZoneMtaEnvelope {
  id: string;
  interface: string;
  from: string;
  to: string[];
  origin: string;
  transhost?: string;
  headers: ZoneMtaHeaders;
  /** Copied from the session by the plugin's DATA hook, so later hooks know the sender. */
  eider?: SenderIdentity;
}

export type HookHandler = (...args: any[]) => Promise<void>;

/** What `init(app)` gets. */
export interface ZoneMtaApp {
  /** This plugin's section of ZoneMTA's `plugins` config. */
  config: Record<string, unknown>;
  logger: {
    info(prefix: string, format: string, ...args: unknown[]): void;
    error(prefix: string, format: string, ...args: unknown[]): void;
  };
  addHook(name: string, handler: HookHandler): void;
  addAnalyzerHook(
    handler: (envelope: ZoneMtaEnvelope, source: Readable, destination: Writable) => void,
  ): void;
}

/**
 * An error a hook throws: ZoneMTA answers the client with `responseCode` and the message. Its name does not end in
 * "Error", so ZoneMTA's plugin runner does not log a stack trace for every wrong password or refused From.
 */
export function smtpError(code: number, text: string): Error & { responseCode: number } {
  const refusal = Object.assign(new Error(text), { responseCode: code });
  refusal.name = "SMTPRefusal";
  return refusal;
}

/**
 * The one way a `message:*` hook can end a transaction with success without queueing: ZoneMTA answers an error
 * named "SMTPResponse" that has no responseCode with 250 and its message (lib/smtp-interface.js handleMessage).
 */
export function acceptedWithoutQueueing(text: string): Error {
  const done = new Error(text);
  done.name = "SMTPResponse";
  return done;
}
