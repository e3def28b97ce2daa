// What the smtp-server based sidecars (LMTP, submission) change on each of smtp-server's connections: the
// connection object is untyped and has no hook of its own, so this is the one place that reaches into it.
import type { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import type { SMTPServerSession } from "smtp-server";

/** The subset of smtp-server's (untyped) connection the sidecars use. */
export interface SmtpConnection {
  session: SMTPServerSession;
  secure: boolean;
  remoteAddress: string;
  /** The client's socket (before STARTTLS: the plain one). */
  _socket: Socket;
  _dataStream: unknown;
  /** Its command parser, made anew after STARTTLS by `_createParser`. */
  _parser: EventEmitter | false;
  _createParser(): EventEmitter;
  send(code: number, data?: string | string[], context?: string | false): void;
  close(): void;
  /** The peer's address as accepted, which XCLIENT does not overwrite. */
  _originalRemoteAddress: string;
  /** Whether XCLIENT / XFORWARD may be offered and used now (smtp-server's own check). */
  _proxyCommandAllowed(command: string, option: string): boolean;
}

/**
 * XCLIENT only from peers `trusted` names (networks; smtp-server's own list takes exact addresses), checked
 * against the real peer, both for offering it and for taking it.
 */
export function limitXClient(connection: SmtpConnection, trusted: (address: string) => boolean): void {
  const allowed = connection._proxyCommandAllowed.bind(connection);
  connection._proxyCommandAllowed = (command, option) =>
    allowed(command, option) && trusted(connection._originalRemoteAddress);
}

/** Socket errors that are the client's doing (it left), not a fault of the server. */
export const CLIENT_GONE = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);

// A reply text that starts with its own RFC 3463 code: smtp-server would otherwise add its default for the
// reply code (550 is always 5.1.1 there), which is wrong for a disabled account (5.2.1) or a full disk (4.3.1).
const OWN_ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

/** Replies whose text starts with an enhanced code go out with that code instead of smtp-server's default. */
export function keepOwnEnhancedCodes(connection: SmtpConnection): void {
  const send = connection.send.bind(connection);
  connection.send = (code, data, context) =>
    typeof data === "string" && OWN_ENHANCED_CODE.test(data)
      ? send(code, data, false)
      : send(code, data, context);
}

/**
 * A command line longer than smtp-server's limit (16 kB) breaks its parser, which answers 421 (try again later).
 * Nothing that long will ever be accepted, so the reply is RFC 5321's "500 Line too long" (permanent), then the
 * connection closes: the rest of the line cannot be told apart from the next command.
 */
export function refuseLongLines(connection: SmtpConnection): void {
  const guard = (parser: EventEmitter) => {
    const [original] = parser.listeners("error") as Array<(err: Error) => void>;
    parser.removeAllListeners("error");
    parser.on("error", (err: Error) => {
      if (err.message !== "Command line too long") return original?.(err);
      connection.send(500, "5.5.2 Line too long", false);
      connection.close();
    });
    return parser;
  };
  if (connection._parser) guard(connection._parser);
  const create = connection._createParser.bind(connection);
  connection._createParser = () => guard(create());
}
