// The LMTP listener (RFC 2033): smtp-server in LMTP mode does the protocol (LHLO, pipelining, dot-stuffing,
// SIZE, one reply per recipient after DATA); this file maps its hooks onto the core's delivery service.
import os from "node:os";
import type { Logger } from "pino";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import {
  asDomainError,
  DELIVERY,
  type Core,
  type DeliverySource,
  type RecipientResult,
} from "../../src/core/index.js";
import {
  CLIENT_GONE,
  keepOwnEnhancedCodes,
  limitXClient,
  refuseLongLines,
  type SmtpConnection,
} from "../shared/smtp-connection.js";
import type { TlsCertificates } from "../shared/tls.js";
import { coalesceReplies } from "./coalesce-replies.js";
import { mailFromRefusal, rcptToRefusal } from "./parameters.js";
import { replyFor, TEMPORARY_FAILURE, type LmtpReply } from "./replies.js";
import { traceHeaders } from "./trace-headers.js";

export interface LmtpOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  overQuotaPermanent: boolean;
  /** Connections at once; one more gets 421 and is closed. */
  maxConnections: number;
  /** A connection silent this long is closed. */
  idleTimeoutMs: number;
  /** How long a stop waits for transactions in flight before it cuts their connections. */
  shutdownGraceMs: number;
  /** This host's name in the greeting and the Received line; default: the machine's. */
  serverName?: string;
  /** STARTTLS offered with these certificates (a reload reaches new upgrades); null: not offered. */
  starttls: TlsCertificates | null;
  /**
   * Peers allowed to send XCLIENT (the MX in front, passing on its internet client): their sessions deliver as
   * via "mx", with the client's address and HELO name in the delivery log and the inbound rate limits. Default:
   * none may.
   */
  xclientFrom?: (address: string | undefined) => boolean;
}

export interface RunningLmtpServer {
  host: string;
  port: number;
  /** Connections open now (a session ends when its client leaves, however it leaves). */
  sessions(): number;
  /** Stops accepting, lets a DATA in flight finish and get its replies, then closes every connection. */
  close(): Promise<void>;
}

export async function startLmtpServer(
  core: Core,
  logger: Logger,
  options: LmtpOptions,
): Promise<RunningLmtpServer> {
  const log = logger.child({ protocol: "lmtp" });
  const serverName = options.serverName ?? os.hostname();
  const connections = new Map<string, SmtpConnection>();
  let closing = false;

  const refusal = (reply: LmtpReply) =>
    Object.assign(new Error(`${reply.enhanced} ${reply.text}`), { responseCode: reply.code });

  class LmtpServer extends SMTPServer {
    // smtp-server has no hook for a connection object; its connect() is where each one is made.
    override connect(socket: unknown, socketOptions: unknown): void {
      (SMTPServer.prototype as any).connect.call(this, socket, socketOptions);
      const connection = [...this.connections].pop() as SmtpConnection;
      keepOwnEnhancedCodes(connection);
      refuseLongLines(connection);
      coalesceReplies(connection._socket);
      if (options.xclientFrom) limitXClient(connection, options.xclientFrom);
      connections.set(connection.session.id, connection);
    }
  }

  const server = new LmtpServer({
    lmtp: true,
    name: serverName,
    banner: "Eider LMTP ready",
    size: options.maxMessageBytes,
    rejectOversized: true,
    authOptional: true,
    disabledCommands: options.starttls ? ["AUTH"] : ["AUTH", "STARTTLS"],
    hideSTARTTLS: !options.starttls,
    ...options.starttls?.pair(),
    hideDSN: true,
    useXClient: Boolean(options.xclientFrom),
    hideENHANCEDSTATUSCODES: false,
    logger: false,
    closeTimeout: options.shutdownGraceMs,
    maxClients: options.maxConnections,
    socketTimeout: options.idleTimeoutMs,
    onConnect(session, callback) {
      log.debug({ session: session.id, remote: session.remoteAddress }, "lmtp connection");
      callback();
    },
    onClose(session) {
      connections.delete(session.id);
    },
    onMailFrom(address, session, callback) {
      const args = address.args as Record<string, unknown> | false;
      // smtp-server sets these from each MAIL FROM's parameters before asking, and never clears them: a refused
      // MAIL FROM ... SMTPUTF8 would otherwise leave the next transaction marked SMTPUTF8.
      Object.assign(session.envelope, {
        smtpUtf8: Boolean(args && args.SMTPUTF8 === true),
        bodyType: args && typeof args.BODY === "string" ? args.BODY.toLowerCase() : "7bit",
      });
      const reply = mailFromRefusal(address.address, args);
      callback(reply ? refusal(reply) : undefined);
    },
    onRcptTo(address, session, callback) {
      const smtpUtf8 = (session.envelope as { smtpUtf8?: boolean }).smtpUtf8 === true;
      const bad = rcptToRefusal(address.address, address.args as Record<string, unknown> | false, smtpUtf8);
      if (bad) return callback(refusal(bad));
      const size = Number(
        session.envelope.mailFrom &&
          session.envelope.mailFrom.args &&
          (session.envelope.mailFrom.args as any).SIZE,
      );
      core.delivery
        .checkRecipient(DELIVERY, address.address, Number.isFinite(size) && size > 0 ? size : undefined, {
          ...sourceOf(session),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        })
        .then(
          (check) => {
            const reply = replyFor(check.status, check.message, options);
            if (reply)
              log.info(
                { session: session.id, rcpt: address.address, status: check.status },
                "recipient refused",
              );
            callback(reply ? refusal(reply) : undefined);
          },
          (err: unknown) => {
            log.error({ err, session: session.id, rcpt: address.address }, "recipient check failed");
            callback(refusal(TEMPORARY_FAILURE));
          },
        );
    },
    onData(stream, session, callback) {
      // then(ok, failed): a throw inside smtp-server's callback must not call it a second time.
      void receiveAndDeliver(stream, session)
        .then(
          (replies) => callback(null, replies as any),
          (err: unknown) => {
            // A client that leaves mid-DATA is not a server failure: nothing was stored, nobody awaits a reply.
            if ((err as NodeJS.ErrnoException).code === "ECONNECTION")
              log.info({ session: session.id }, "client left during DATA; nothing stored");
            else log.error({ err, session: session.id }, "lmtp delivery failed");
            callback(
              refusal({
                ...TEMPORARY_FAILURE,
                text: "The message could not be stored just now; try again later.",
              }),
            );
          },
        )
        .finally(() => {
          // Stopping: the replies go out first (smtp-server writes them when this callback returns), then the door.
          if (closing) setImmediate(() => connections.get(session.id)?.close());
        });
    },
  });

  /** One reply per accepted recipient (a string for 250, an Error for a refusal); null when over the limit. */
  async function receiveAndDeliver(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
  ): Promise<Array<string | Error> | null> {
    const raw = await receive(stream);
    // Over the limit: smtp-server answers 552 5.3.4 for every recipient whatever is said here.
    if (!raw) return null;
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
    const date = new Date();
    const results = await core.delivery.deliver(DELIVERY, {
      ...sourceOf(session),
      mailFrom,
      recipients,
      raw,
      internalDate: date,
      traceHeaders: (recipient) =>
        traceHeaders({
          mailFrom,
          recipient,
          // This hop's own peer (the MX after XCLIENT): the MX wrote its own Received line for the client.
          clientName: session.hostNameAppearsAs || "",
          clientHostname: relayed(session) ? undefined : session.clientHostname,
          clientAddress: relayed(session)
            ? String(session.xClient.get("ADDR:DEFAULT"))
            : session.remoteAddress,
          serverName,
          sessionId: session.id,
          smtpUtf8: (session.envelope as { smtpUtf8?: boolean }).smtpUtf8 === true,
          tls: session.secure,
          date,
        }),
    });
    log.info(
      { session: session.id, from: mailFrom, bytes: raw.length, recipients: results.map(summary) },
      "lmtp delivery",
    );
    for (const r of results)
      if (r.cause) log.error({ err: r.cause, session: session.id, rcpt: r.recipient }, "delivery failed");
    return results.map((r) => {
      const reply = replyFor(r.status, r.message, options, asDomainError(r.cause)?.code);
      return reply ? refusal(reply) : `${r.message} <${r.recipient}>`;
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err: Error & { code?: string; meta?: { stage?: string }; remoteAddress?: string }) => {
    // A failed TLS handshake or a reset is the client's doing (an untrusted certificate, a scanner), not a fault here.
    if (err.meta?.stage === "connect" || CLIENT_GONE.has(err.code ?? ""))
      log.info({ remote: err.remoteAddress, code: err.code, reason: err.message }, "lmtp connection failed");
    else log.error({ err }, "lmtp server error");
  });
  // smtp-server takes the context for each STARTTLS from its map, which this rebuilds.
  const stopReload = options.starttls?.onReload((pair) => server.updateSecureContext({ ...pair }));
  const address = server.server.address() as { address: string; port: number };

  let stopped: Promise<void> | null = null;
  return {
    host: address.address,
    port: address.port,
    sessions: () => connections.size,
    close() {
      stopped ??= new Promise<void>((resolve) => {
        closing = true;
        stopReload?.();
        server.close(() => resolve());
        // Idle connections (an MTA keeps some open for reuse) go now; those inside DATA after their replies.
        for (const connection of connections.values())
          if (!connection._dataStream) {
            connection.send(421, "4.3.2 Server shutting down", false);
            connection.close();
          }
      });
      return stopped;
    },
  };
}

/** The DATA bytes, or null when they went over the size limit (then only counted, never kept). */
function receive(stream: SMTPServerDataStream): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => {
      if (!stream.sizeExceeded) chunks.push(chunk);
      else chunks.length = 0;
    });
    stream.once("end", () => resolve(stream.sizeExceeded ? null : Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

/** XCLIENT ADDR was accepted (only from `xclientFrom` peers): the session carries mail from the MX's client. */
function relayed(session: SMTPServerSession): boolean {
  return Boolean(session.xClient?.has("ADDR"));
}

/**
 * Where the message comes from, for the delivery log and the inbound limits: the MX's client (its address and the
 * HELO it gave, passed by XCLIENT) as via "mx", or the LMTP peer itself.
 */
function sourceOf(session: SMTPServerSession): DeliverySource {
  if (relayed(session)) {
    const helo = session.xClient.get("HELO");
    return {
      via: "mx",
      client: { ip: session.remoteAddress, name: typeof helo === "string" && helo ? helo : undefined },
    };
  }
  return { via: "lmtp", client: { ip: session.remoteAddress, name: session.hostNameAppearsAs || undefined } };
}

function summary(r: RecipientResult) {
  return { rcpt: r.recipient, status: r.status, ...(r.stored ? { uid: r.stored.uid } : {}) };
}
