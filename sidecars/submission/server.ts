// The submission listeners (RFC 6409): cleartext with STARTTLS (1587; 587 in production) and implicit TLS (1465;
// 465, RFC 8314). smtp-server does the protocol (EHLO, PIPELINING, AUTH PLAIN/LOGIN exchanges, dot-stuffing, SIZE);
// this file decides who may authenticate where, checks each transaction's parameters and DATA bytes, and hands a
// whole message to the core's submission service, which answers with a queue id or a refusal.
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerOptions,
  type SMTPServerSession,
} from "smtp-server";
import type { Principal } from "../../src/core/index.js";
import { MAIL_PARAMETERS, mailFromRefusal, rcptToRefusal } from "../lmtp/parameters.js";
import { trustedNetworks } from "../shared/networks.js";
import { SMTP_AUTH_REPLIES, smtpReplyForAuthError, type SmtpReply } from "../shared/smtp-auth-replies.js";
import {
  CLIENT_GONE,
  keepOwnEnhancedCodes,
  refuseLongLines,
  type SmtpConnection,
} from "../shared/smtp-connection.js";
import { DataCheck, dataProblemReply } from "./data-check.js";
import type { SubmissionOptions } from "./options.js";
import { receivedHeader } from "./received.js";
import { queuedReply, senderRefusal, submissionRefusal } from "./replies.js";

export interface RunningSubmissionServer {
  host: string;
  /** The STARTTLS port actually bound. */
  port: number;
  /** The implicit-TLS port actually bound, or null. */
  tlsPort: number | null;
  /** Connections open now, on both ports. */
  sessions(): number;
  /** Stops accepting, lets a DATA in flight get its reply, then closes every connection. */
  close(): Promise<void>;
}

/** MAIL FROM parameters announced here: SIZE, BODY (8BITMIME), SMTPUTF8, and AUTH (RFC 4954 §5). No DSN. */
const SUBMISSION_MAIL_PARAMETERS: ReadonlySet<string> = new Set([...MAIL_PARAMETERS, "AUTH"]);

/** What this server keeps on smtp-server's session between commands. */
interface SubmissionEnvelope {
  smtpUtf8?: boolean;
  bodyType?: string;
}

/** The user smtp-server keeps on the session once AUTH succeeded. */
interface AuthenticatedUser {
  userId: string;
  username: string;
}

const reject = (reply: SmtpReply) =>
  Object.assign(new Error(`${reply.enhanced} ${reply.text}`), { responseCode: reply.code });

export async function startSubmissionServer(options: SubmissionOptions): Promise<RunningSubmissionServer> {
  const log = options.logger.child({ protocol: "submission" });
  const { core } = options;
  const isTrusted = trustedNetworks(options.trustedNetworks);
  const connections = new Map<string, SmtpConnection>();
  let closing = false;

  /** Passwords only over TLS, or from loopback or a trusted network (as POP3 and IMAP). */
  const authAllowed = (connection: SmtpConnection) =>
    connection.secure || isTrusted(connection.remoteAddress);

  function adopt(connection: SmtpConnection): void {
    keepOwnEnhancedCodes(connection);
    refuseLongLines(connection);
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) => {
      // EHLO on a connection that may not authenticate yet: no AUTH line (RFC 4954 §4 advises against offering
      // plaintext mechanisms there); STARTTLS is listed and, once done, the next EHLO lists AUTH.
      if (code === 250 && Array.isArray(data) && !authAllowed(connection))
        return send(
          code,
          data.filter((line) => !/^AUTH /.test(line)),
          context,
        );
      // smtp-server's words for a client that answered a challenge with "*" (RFC 4954 §4: 501, our 5.7.0 text).
      if (code === 501 && data === "Authentication aborted")
        return send(
          code,
          `${SMTP_AUTH_REPLIES.cancelled.enhanced} ${SMTP_AUTH_REPLIES.cancelled.text}`,
          false,
        );
      return send(code, data, context);
    };
    // AUTH on cleartext from elsewhere is refused before any credentials are read: RFC 4954 §4's 538.
    const self = connection as unknown as { handler_AUTH(command: Buffer, done: () => void): void };
    const handleAuth = self.handler_AUTH.bind(connection);
    self.handler_AUTH = (command, done) => {
      if (authAllowed(connection) || connection.session.user) return handleAuth(command, done);
      const r = SMTP_AUTH_REPLIES.encryptionRequired;
      connection.send(r.code, `${r.enhanced} ${r.text}`, false);
      done();
    };
    connections.set(connection.session.id, connection);
  }

  class SubmissionServer extends SMTPServer {
    // smtp-server has no hook for a connection object; its connect() is where each one is made.
    override connect(socket: unknown, socketOptions: unknown): void {
      (SMTPServer.prototype as any).connect.call(this, socket, socketOptions);
      adopt([...this.connections].pop() as SmtpConnection);
    }
  }

  const principalOf = (session: SMTPServerSession): Principal => ({
    kind: "user",
    userId: (session.user as unknown as AuthenticatedUser).userId,
  });

  const common: SMTPServerOptions = {
    name: options.serverName,
    banner: "Eider ESMTP submission ready",
    size: options.maxMessageBytes,
    rejectOversized: true,
    authMethods: ["PLAIN", "LOGIN"],
    // The rule for cleartext passwords is this file's (authAllowed), per connection; smtp-server's is global.
    allowInsecureAuth: true,
    authRequiredMessage: `${SMTP_AUTH_REPLIES.authRequired.enhanced} ${SMTP_AUTH_REPLIES.authRequired.text}`,
    hideDSN: true,
    hideENHANCEDSTATUSCODES: false,
    hide8BITMIME: false,
    hidePIPELINING: false,
    hideSMTPUTF8: false,
    ...options.tls.pair(),
    logger: false,
    closeTimeout: options.shutdownGraceMs,
    maxClients: options.maxConnections,
    useProxy: options.proxyProtocol,
    socketTimeout: options.idleTimeoutMs,

    onClose(session) {
      connections.delete(session.id);
    },

    onAuth(auth: SMTPServerAuthentication, session, callback) {
      const { authzid, authcid } = auth as SMTPServerAuthentication & { authzid?: string; authcid?: string };
      // RFC 4616: acting as another user is not offered here; an authzid naming someone else is refused.
      if (auth.method === "PLAIN" && authzid && authcid && authzid !== authcid)
        return callback(
          reject({ code: 535, enhanced: "5.7.8", text: "Authorization as another user is not allowed." }),
        );
      core.auth
        .checkPassword(auth.username ?? "", auth.password ?? "", {
          ip: session.remoteAddress,
          protocol: "submission",
        })
        .then(
          (user) => callback(null, { user: { userId: user.id, username: user.username } as any }),
          (err: unknown) => {
            const reply = smtpReplyForAuthError(err);
            if (reply.code === 454) log.warn({ err, session: session.id }, "submission auth failed");
            callback(reject(reply));
          },
        );
    },

    onMailFrom(address, session, callback) {
      const args = address.args as Record<string, unknown> | false;
      // smtp-server sets the envelope from each MAIL FROM before asking and never clears these: a refused
      // MAIL FROM ... SMTPUTF8 would otherwise leave the next transaction marked SMTPUTF8.
      Object.assign(session.envelope as SubmissionEnvelope, {
        smtpUtf8: Boolean(args && args.SMTPUTF8 === true),
        bodyType: args && typeof args.BODY === "string" ? args.BODY.toLowerCase() : "7bit",
      });
      const bad = mailFromRefusal(address.address, args, SUBMISSION_MAIL_PARAMETERS);
      if (bad) return callback(reject(bad));
      const check = core.submission.checkSender;
      if (!check) return callback();
      check.call(core.submission, principalOf(session), address.address).then(
        () => callback(),
        (err: unknown) => {
          const refusal = senderRefusal(err);
          if (!refusal) log.error({ err, session: session.id }, "sender check failed");
          callback(
            reject(
              refusal ?? {
                ...submissionRefusal(err),
                text: "The sender could not be checked just now; try again later.",
              },
            ),
          );
        },
      );
    },

    onRcptTo(address, session, callback) {
      const smtpUtf8 = (session.envelope as SubmissionEnvelope).smtpUtf8 === true;
      const bad = rcptToRefusal(address.address, address.args as Record<string, unknown> | false, smtpUtf8);
      if (bad) return callback(reject(bad));
      if (session.envelope.rcptTo.length >= options.maxRecipients)
        return callback(
          reject({
            code: 452,
            enhanced: "4.5.3",
            text: `Too many recipients (at most ${options.maxRecipients} a message); send the rest in another message.`,
          }),
        );
      callback();
    },

    onData(stream, session, callback) {
      // then(ok, failed): a throw inside smtp-server's callback must not call it a second time.
      void receiveAndSubmit(stream, session)
        .then(
          (reply) => callback(null, reply ? `${reply.enhanced} ${reply.text}` : undefined),
          (err: unknown) => {
            // A client that leaves mid-DATA: nothing was submitted, nobody awaits a reply.
            if ((err as NodeJS.ErrnoException).code === "ECONNECTION")
              log.info({ session: session.id }, "client left during DATA; nothing queued");
            else if (!(err instanceof RefusedData))
              log.error({ err, session: session.id }, "submission failed");
            callback(reject(err instanceof RefusedData ? err.reply : submissionRefusal(err)));
          },
        )
        .finally(() => {
          // Stopping: the reply goes out first (smtp-server writes it when this callback returns), then the door.
          if (closing) setImmediate(() => connections.get(session.id)?.close());
        });
    },
  };

  /** The queued reply, or null when the DATA went over the size limit (smtp-server answers 552 5.3.4 itself). */
  async function receiveAndSubmit(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
  ): Promise<SmtpReply | null> {
    const envelope = session.envelope as SMTPServerSession["envelope"] & SubmissionEnvelope;
    const check = new DataCheck(envelope.bodyType === "8bitmime" || envelope.smtpUtf8 === true);
    const date = new Date();
    const data = await receive(stream, check);
    if (!data) return null;
    const verdict = check.verdict();
    if (verdict) {
      log.info({ session: session.id, problem: verdict.problem }, "message refused");
      throw new RefusedData(dataProblemReply(verdict.problem, verdict.offset));
    }
    const trace = receivedHeader({
      clientName: session.hostNameAppearsAs ?? "",
      clientHostname: session.clientHostname,
      clientAddress: session.remoteAddress,
      serverName: options.serverName,
      sessionId: session.id,
      tls: session.secure,
      smtpUtf8: envelope.smtpUtf8 === true,
      date,
    });
    const mailFrom = envelope.mailFrom ? envelope.mailFrom.address : "";
    const recipients = envelope.rcptTo.map((r) => r.address);
    const result = await core.submission.submitRaw(
      principalOf(session),
      { mailFrom, recipients, raw: Buffer.concat([Buffer.from(trace), data]) },
      { via: "smtp", clientIp: session.remoteAddress, clientName: session.hostNameAppearsAs ?? null },
    );
    log.info(
      {
        session: session.id,
        user: (session.user as unknown as AuthenticatedUser).username,
        queueId: result.entry.id,
        bytes: data.length,
        recipients: recipients.length,
      },
      "message submitted",
    );
    return queuedReply(result.entry.id);
  }

  const plain = new SubmissionServer({ ...common });
  const secure = options.tlsPort === null ? null : new SubmissionServer({ ...common, secure: true });
  await listen(plain, options.port, options.host);
  try {
    if (secure) await listen(secure, options.tlsPort!, options.host);
  } catch (e) {
    await new Promise<void>((resolve) => plain.close(() => resolve()));
    throw e;
  }
  for (const server of [plain, secure]) {
    server?.on(
      "error",
      (err: Error & { code?: string; meta?: { stage?: string }; remoteAddress?: string }) => {
        // A failed TLS handshake or a reset is the client's doing (an untrusted certificate, a scanner).
        if (err.meta?.stage === "connect" || CLIENT_GONE.has(err.code ?? ""))
          log.info(
            { remote: err.remoteAddress, code: err.code, reason: err.message },
            "submission connection failed",
          );
        else log.error({ err }, "submission server error");
      },
    );
  }
  // smtp-server takes the context for each STARTTLS (and each implicit-TLS handshake) from its map.
  const stopReload = options.tls.onReload((pair) => {
    plain.updateSecureContext({ ...pair });
    secure?.updateSecureContext({ ...pair });
  });

  let stopped: Promise<void> | null = null;
  return {
    host: options.host,
    port: portOf(plain),
    tlsPort: secure ? portOf(secure) : null,
    sessions: () => connections.size,
    close() {
      stopped ??= (async () => {
        closing = true;
        stopReload();
        const closed = [plain, secure].map(
          (server) => server && new Promise<void>((resolve) => server.close(() => resolve())),
        );
        // Idle connections go now; those inside DATA after their reply.
        for (const connection of connections.values())
          if (!connection._dataStream) {
            connection.send(421, "4.3.2 Server shutting down", false);
            connection.close();
          }
        await Promise.all(closed);
      })();
      return stopped;
    },
  };
}

/** A DATA refused for its bytes (bare LF, NUL, 8-bit): answered as it says, never logged as a failure. */
class RefusedData extends Error {
  constructor(readonly reply: SmtpReply) {
    super(reply.text);
  }
}

/** The DATA bytes, checked as they come, or null when they went over the size limit (then only counted). */
function receive(stream: SMTPServerDataStream, check: DataCheck): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => {
      if (stream.sizeExceeded) chunks.length = 0;
      else {
        check.push(chunk);
        chunks.push(chunk);
      }
    });
    stream.once("end", () => resolve(stream.sizeExceeded ? null : Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

function listen(server: SMTPServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function portOf(server: SMTPServer): number {
  const a = server.server.address();
  return typeof a === "object" && a ? a.port : 0;
}
