// One SMTP transaction with one server through nodemailer's SMTP connection: connect, EHLO with our name,
// STARTTLS when offered (opportunistic unless required), AUTH when given, MAIL / RCPT per recipient / DATA, QUIT.
// The answer is per recipient; a failure before any SMTP answer about the envelope is an `SmtpUnreachable`.
import type { ConnectionOptions } from "node:tls";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import type { TransportResult } from "../core/index.js";

export interface SmtpServerOptions {
  host: string;
  port: number;
  /** Implicit TLS (smtps, port 465). */
  secure?: boolean;
  /** STARTTLS must succeed (a smarthost that says so); otherwise it is used when offered and skipped if it fails. */
  requireTls?: boolean;
  /** Our name in EHLO. */
  name: string;
  auth?: { user: string; pass: string };
  /** TLS options (a server's name to check, `rejectUnauthorized`). */
  tls?: ConnectionOptions;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

export interface SmtpMessage {
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
}

/** No SMTP answer about this message: the server could not be reached, or the session broke before MAIL. */
export class SmtpUnreachable extends Error {
  override readonly name = "SmtpUnreachable";
  constructor(
    message: string,
    /** A 4xx greeting, EHLO or MAIL answer (try another MX), when that is what ended it. */
    readonly response: string | null = null,
  ) {
    super(message);
  }
}

/** Waits this long for the connection and the greeting (RFC 5321 §4.5.3.2 suggests 5 minutes for the greeting). */
const CONNECT_TIMEOUT_MS = 30_000;
const GREETING_TIMEOUT_MS = 60_000;
/** At most this long between two replies (RFC 5321 §4.5.3.2: 10 minutes after the final dot). */
const SOCKET_TIMEOUT_MS = 5 * 60_000;

interface SmtpError extends Error {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  recipient?: string;
  rejectedErrors?: SmtpError[];
}

/** 8-bit bytes in the message: MAIL FROM then carries BODY=8BITMIME where the server offers it. */
function has8BitBytes(raw: Buffer): boolean {
  return raw.some((b) => b > 0x7f);
}

/**
 * Sends one message to one server. Resolves with every recipient accepted or refused (permanent: a 5xx answer);
 * rejects with `SmtpUnreachable` when no answer about the envelope came (connection, TLS, greeting, a 4xx or
 * 421 before RCPT), so a caller with several MX hosts tries the next one.
 */
export async function sendSmtpTransaction(
  server: SmtpServerOptions,
  message: SmtpMessage,
): Promise<TransportResult> {
  const connection = new SMTPConnection({
    host: server.host,
    port: server.port,
    secure: server.secure ?? false,
    requireTLS: server.requireTls ?? false,
    opportunisticTLS: !server.requireTls,
    name: server.name,
    tls: server.tls,
    connectionTimeout: server.connectionTimeoutMs ?? CONNECT_TIMEOUT_MS,
    greetingTimeout: server.greetingTimeoutMs ?? GREETING_TIMEOUT_MS,
    socketTimeout: server.socketTimeoutMs ?? SOCKET_TIMEOUT_MS,
  });
  let failure: SmtpError | null = null;
  connection.on("error", (err: SmtpError) => (failure ??= err));
  try {
    await new Promise<void>((resolve, reject) => {
      connection.once("end", () =>
        reject(failure ?? new Error("The connection closed before the greeting.")),
      );
      connection.connect(() => resolve());
    });
    if (server.auth) {
      await new Promise<void>((resolve, reject) =>
        connection.login(server.auth, (err) => (err ? reject(err) : resolve())),
      );
    }
    return await new Promise<TransportResult>((resolve, reject) => {
      connection.once("end", () =>
        reject(failure ?? new Error("The connection closed during the transaction.")),
      );
      connection.send(
        {
          from: message.mailFrom === "" ? false : message.mailFrom,
          to: message.recipients,
          size: message.raw.length,
          use8BitMime: has8BitBytes(message.raw),
        },
        message.raw,
        (err, info) => {
          if (err) {
            try {
              resolve(refusalResult(err as SmtpError, message.recipients));
            } catch (unreachable) {
              reject(unreachable);
            }
            return;
          }
          const refused = (info!.rejectedErrors ?? []).map((e: SmtpError) => refusal(e.recipient ?? "", e));
          resolve({
            accepted: info!.accepted.map((recipient) => ({ recipient, response: info!.response })),
            refused,
          });
        },
      );
    });
  } catch (err) {
    throw asUnreachable(err as SmtpError);
  } finally {
    connection.quit();
    connection.close();
  }
}

/** What an error of `send()` says about each recipient; throws `SmtpUnreachable` when it says nothing. */
function refusalResult(err: SmtpError, recipients: string[]): TransportResult {
  if (err.rejectedErrors && err.command === "RCPT TO") {
    const byRecipient = new Map(err.rejectedErrors.map((e) => [e.recipient ?? "", e]));
    return { accepted: [], refused: recipients.map((r) => refusal(r, byRecipient.get(r) ?? err)) };
  }
  if (err.code === "EMESSAGE" && err.command === "MAIL FROM" && !err.response) {
    // nodemailer refused it itself: bigger than the SIZE the server announced (RFC 1870).
    const response = `552 5.3.4 ${err.message}`;
    return {
      accepted: [],
      refused: recipients.map((recipient) => ({ recipient, response, permanent: true })),
    };
  }
  if (err.responseCode && err.response) {
    // A 4xx to MAIL FROM (or a 421 anywhere before the data): another MX may do better.
    if (err.responseCode < 500 && err.command === "MAIL FROM") throw asUnreachable(err);
    return { accepted: [], refused: recipients.map((r) => refusal(r, err)) };
  }
  throw asUnreachable(err);
}

function refusal(recipient: string, e: SmtpError): TransportResult["refused"][number] {
  const response = e.response ?? e.message;
  return { recipient, response, permanent: (e.responseCode ?? 0) >= 500 };
}

function asUnreachable(err: SmtpError): SmtpUnreachable {
  if (err instanceof SmtpUnreachable) return err;
  const response = err.responseCode && err.responseCode < 500 ? (err.response ?? null) : null;
  return new SmtpUnreachable(err.response ?? err.message ?? String(err), response);
}
