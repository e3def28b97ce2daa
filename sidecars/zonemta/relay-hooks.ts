// The Eider plugin's hooks in ZoneMTA's receiver: who may send (AUTH through the core), and what a user's message
// becomes before ZoneMTA queues it (the core's relay preparation: From check, daily recipient limit, DKIM, the Sent
// copy, local recipients delivered by Eider). ZoneMTA keeps queueing and delivering to the remote recipients.
import type { Readable, Writable } from "node:stream";
import type { Core, SubmissionService } from "../../src/core/index.js";
import { smtpReplyForAuthError, type SmtpReply } from "../shared/smtp-auth-replies.js";
import { DataCheck, dataProblemReply } from "../submission/data-check.js";
import { submissionRefusal } from "../submission/replies.js";
import { applyPrepared } from "./prepared-message.js";
import { isRelayLogin, type RelayCredentials } from "./relay-credentials.js";
import {
  acceptedWithoutQueueing,
  smtpError,
  type ZoneMtaAuth,
  type ZoneMtaEnvelope,
  type ZoneMtaSession,
} from "./zonemta-api.js";

/** What the hooks need of an Eider core. */
export interface RelayCore {
  auth: Pick<Core["auth"], "checkPassword">;
  submission: Pick<SubmissionService, "prepareForRelay">;
}

export interface RelayHookOptions {
  /** The core, once it is open; rejects while the store or bus cannot be reached (the client is told to retry). */
  core(): Promise<RelayCore>;
  /** Eider's own outbox login (`[outbound] zonemta_url`); null: none. */
  relay: RelayCredentials | null;
  /** Where failures that are not the client's go (a bug, an outage). */
  logError(message: string, err: unknown): void;
}

const AUTH_REQUIRED: SmtpReply = { code: 530, enhanced: "5.7.0", text: "Authentication required." };
const AUTH_UNAVAILABLE: SmtpReply = {
  code: 454,
  enhanced: "4.7.0",
  text: "Temporary authentication failure; try again later.",
};
const NOT_QUEUED: SmtpReply = {
  code: 451,
  enhanced: "4.3.0",
  text: "The message could not be queued just now; try again later.",
};

const refuse = (reply: SmtpReply) => smtpError(reply.code, `${reply.enhanced} ${reply.text}`);

/** A user's message as the client sent it, with the verdict on its bytes, kept from DATA until `message:queue`. */
interface Submitted {
  /** Whether MAIL FROM announced 8-bit data (BODY=8BITMIME or SMTPUTF8). */
  eightBit: boolean;
  bytes?: Promise<Buffer>;
  check?: DataCheck;
}

export class RelayHooks {
  private readonly submitted = new WeakMap<ZoneMtaEnvelope, Submitted>();

  constructor(private readonly options: RelayHookOptions) {}

  /** `smtp:auth`: Eider's outbox by its relay login, anyone else by the core's password check. */
  async auth(auth: ZoneMtaAuth, session: ZoneMtaSession): Promise<void> {
    if (isRelayLogin(this.options.relay, auth.username, auth.password)) {
      session.eider = { kind: "eider" };
      return;
    }
    try {
      const core = await this.openCore(AUTH_UNAVAILABLE);
      const user = await core.auth.checkPassword(auth.username, auth.password, {
        ip: session.remoteAddress,
        protocol: "submission",
      });
      session.eider = { kind: "user", userId: user.id, username: user.username };
    } catch (err) {
      if ((err as { responseCode?: number }).responseCode) throw err;
      const reply = smtpReplyForAuthError(err);
      if (reply.code === AUTH_UNAVAILABLE.code && reply.text === AUTH_UNAVAILABLE.text)
        this.options.logError("the password check failed", err);
      throw refuse(reply);
    }
  }

  /** `smtp:data`: the sender goes with the envelope; mail from a client Eider did not authenticate goes nowhere. */
  async data(envelope: ZoneMtaEnvelope, session: ZoneMtaSession): Promise<void> {
    if (!session.eider) throw refuse(AUTH_REQUIRED);
    envelope.eider = session.eider;
    const mailFrom = session.envelope?.mailFrom;
    const args = (mailFrom && mailFrom.args) || {};
    const eightBit = String(args.BODY ?? "").toUpperCase() === "8BITMIME" || args.SMTPUTF8 !== undefined;
    this.submitted.set(envelope, { eightBit });
  }

  /**
   * Analyzer: keeps a copy of a user's message as it streams past, unchanged, into ZoneMTA's queue, and checks its
   * bytes as the submission server does (a bare CR or LF, a NUL, undeclared 8-bit): ZoneMTA would turn a bare LF
   * into CRLF, and the bytes sent would no longer be the Sent copy.
   */
  analyze(envelope: ZoneMtaEnvelope, source: Readable, destination: Writable): void {
    const submitted = this.submitted.get(envelope);
    if (envelope.eider?.kind === "user" && submitted) {
      const check = new DataCheck(submitted.eightBit);
      const chunks: Buffer[] = [];
      source.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        check.push(chunk);
      });
      const bytes = new Promise<Buffer>((resolve, reject) => {
        source.once("end", () => resolve(Buffer.concat(chunks)));
        source.once("error", reject);
      });
      bytes.catch(() => undefined); // ZoneMTA reports a broken stream itself; message:queue never runs then
      submitted.bytes = bytes;
      submitted.check = check;
    }
    source.pipe(destination);
  }

  /**
   * `message:queue` (ZoneMTA has stored the body): a user's message goes through the core's relay preparation;
   * the signed header block replaces ZoneMTA's and only the remote recipients stay queued. Mail for local
   * recipients only is answered 250 without a queue entry. A refusal removes the message from ZoneMTA's queue.
   */
  async queue(envelope: ZoneMtaEnvelope): Promise<void> {
    const sender = envelope.eider;
    if (!sender) throw refuse(AUTH_REQUIRED);
    if (sender.kind === "eider") return; // checked, signed and copied to Sent before Eider handed it over
    const kept = this.submitted.get(envelope);
    const submitted = await kept?.bytes;
    if (!kept?.check || !submitted) {
      this.options.logError(`no bytes were kept for message ${envelope.id}`, null);
      throw refuse(NOT_QUEUED);
    }
    const problem = kept.check.verdict();
    if (problem) throw refuse(dataProblemReply(problem.problem, problem.offset));
    const core = await this.openCore(NOT_QUEUED);
    let prepared;
    try {
      prepared = await core.submission.prepareForRelay(
        { kind: "user", userId: sender.userId },
        { mailFrom: envelope.from, recipients: [...envelope.to], raw: submitted },
        { via: "zonemta", clientIp: envelope.origin ?? null, clientName: envelope.transhost ?? null },
      );
    } catch (err) {
      const reply = submissionRefusal(err);
      if (reply.code === NOT_QUEUED.code) this.options.logError("relay preparation failed", err);
      throw refuse(reply);
    }
    try {
      applyPrepared(envelope, submitted, prepared);
    } catch (err) {
      this.options.logError("the prepared message does not fit ZoneMTA's queue", err);
      throw refuse(NOT_QUEUED);
    }
    if (prepared.remoteRecipients.length === 0) {
      const n = prepared.local.length;
      throw acceptedWithoutQueueing(
        `2.0.0 Ok: delivered to ${n} local recipient${n === 1 ? "" : "s"}, nothing to relay`,
      );
    }
  }

  private async openCore(failure: SmtpReply): Promise<RelayCore> {
    try {
      return await this.options.core();
    } catch (err) {
      this.options.logError("the Eider core is not available", err);
      throw refuse(failure);
    }
  }
}
