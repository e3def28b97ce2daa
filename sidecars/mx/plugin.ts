// The Eider plugin for Haraka: Haraka speaks SMTP to the internet, this plugin hands each transaction to Eider's
// LMTP sidecar. Why LMTP and not the core in this process: on a single box the core's bus lives in the Eider
// process (IMAP IDLE and GraphQL subscriptions hear deliveries through it), so a second process must not write
// the store behind its back; in a cluster any Eider LMTP instance will do. XCLIENT passes the internet client on,
// so Eider logs the delivery as via "mx" with the client's IP and HELO and applies its inbound rate limits.
//
// One LMTP session per SMTP connection (XCLIENT once, since it names that client), a transaction per message:
// RCPT is answered with Eider's answer for that recipient; at end of DATA the plugin checks the message (NUL
// bytes; SPF, DKIM, DMARC and ARC with authenticate.ts, refusing a DMARC p=reject failure; Rspamd's score),
// prepends Authentication-Results and the spam verdict, sends it, and replies.ts turns the per-recipient LMTP
// replies into the one SMTP reply.
//
// Haraka loads this module from the generated plugins/eider.js (haraka-config.ts) with `require`, so every
// export named hook_* is a hook and `this` is Haraka's plugin object.
import { createRequire } from "node:module";
import { LmtpClient, replyText, type Reply } from "./lmtp-client.js";
import { dataVerdict, passOn, type SmtpAnswer } from "./replies.js";
import { scan, verdictHeaders } from "./rspamd.js";
import { PARENT_ENV } from "./haraka-process.js";
import { readSettings, type MxSettings } from "./settings.js";
import { authenticateInbound, type InboundAuthentication } from "./authenticate.js";
import { systemDnsResolver } from "./dns-resolver.js";
import { reverseName } from "./reverse-name.js";
import { stubResolverFromFile, type DnsResolver } from "./stub-resolver.js";
import { withSpamVerdict } from "./trusted-headers.js";

const require = createRequire(import.meta.url);
const constants = require("haraka-constants") as Record<"ok" | "deny" | "denysoft" | "cont", number>;

// The parts of Haraka's objects this plugin touches (Haraka ships no types).
interface HarakaAddress {
  readonly address: string;
  isNull(): boolean;
}
interface HarakaTransaction {
  uuid: string;
  mail_from: HarakaAddress;
  rcpt_to: HarakaAddress[];
  notes: Record<string, unknown>;
  data_bytes: number;
  message_stream: { headers: unknown[]; get_data(cb: (data: Buffer) => void): void };
}
interface HarakaConnection {
  uuid: string;
  remote: { ip: string; host: string | null };
  hello: { verb: string | null; host: string | null };
  notes: Record<string, unknown>;
  transaction: HarakaTransaction | null;
  loginfo(plugin: unknown, message: string, data?: object): void;
  logwarn(plugin: unknown, message: string, data?: object): void;
  logerror(plugin: unknown, message: string, data?: object): void;
  respond(code: number, message: string, done: () => void): void;
  reset_transaction(done?: () => void): void;
}
type Next = (code?: number, message?: unknown) => void;

/** Haraka takes a reply's own code from an object whose class is called DSN (connection.js `respond`). */
class DSN {
  readonly reply: string;
  constructor(
    readonly code: number,
    text: string,
  ) {
    this.reply = text.replace(/[\r\n]+/g, " ");
  }
}

const refuse = (next: Next, answer: SmtpAnswer) =>
  next(answer.code >= 500 ? constants.deny : constants.denysoft, new DSN(answer.code, answer.text));

const UNAVAILABLE: SmtpAnswer = {
  code: 451,
  text: "4.3.0 The mail system is not available just now; try again later.",
};

/** The message may not be stored: RFC 5322 has no NUL in a message, and no store keeps half of one. */
const NUL_REFUSAL: SmtpAnswer = {
  code: 554,
  text: "5.6.0 The message contains a NUL byte, which RFC 5322 does not allow; nothing was delivered.",
};

let settings: MxSettings;
let resolver: DnsResolver;
/** A zone file stands in for DNS (tests, a machine without DNS): then the reverse name comes from it too. */
let stubbed = false;

// Note keys: the LMTP session on the connection; the recipients it took and the answer on the transaction.
const SESSION = "eider_lmtp";
const MAIL_SENT = "eider_mail_sent";
const ACCEPTED = "eider_accepted";
const ANSWER = "eider_answer";
const PARAMS = "eider_params";

export function register(this: { loginfo(msg: string): void }): void {
  settings = readSettings(process.env.HARAKA ?? ".");
  stubbed = Boolean(settings.dnsZoneFile);
  resolver = settings.dnsZoneFile ? stubResolverFromFile(settings.dnsZoneFile) : systemDnsResolver();
  answerOversizeWith552();
  leaveWithParent();
  this.loginfo(
    `eider: delivering over LMTP to ${settings.lmtp.host}:${settings.lmtp.port}` +
      `${settings.rspamd ? `, scoring with Rspamd at ${settings.rspamd.url}` : ", no spam scoring"}`,
  );
}

/**
 * Started by `eider serve`: when that process is gone (a SIGKILL gives it no time to stop Haraka), this one was
 * handed to another parent and leaves too, instead of holding port 25 for a server that no longer delivers.
 */
function leaveWithParent(): void {
  const parent = Number(process.env[PARENT_ENV]);
  if (!parent) return;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 500).unref();
}

/**
 * Haraka answers a message over its size limit "550 Message too big!"; RFC 1870 §6.1 (and RFC 3463 X.3.4) call
 * for 552 5.3.4. Haraka has no hook for that reply's code, so its one method is replaced (Haraka 3.3).
 */
function answerOversizeWith552(): void {
  const { Connection } = require("Haraka/connection.js") as {
    Connection: { prototype: { max_data_exceeded_respond(retval: number): void } };
  };
  Connection.prototype.max_data_exceeded_respond = function (this: HarakaConnection) {
    this.respond(552, "5.3.4 The message is larger than this server accepts.", () =>
      this.reset_transaction(),
    );
  };
}

/** With a zone file, the client's reverse name comes from it (the system resolver may have no network). */
export function hook_lookup_rdns(next: Next, connection: HarakaConnection): void {
  if (!stubbed) return next();
  resolver(reverseName(connection.remote.ip), "PTR").then(
    (names) => next(constants.ok, String(names[0])),
    () => next(constants.ok, "NXDOMAIN"),
  );
}

export function hook_mail(
  next: Next,
  connection: HarakaConnection,
  params: [HarakaAddress, Record<string, string>],
): void {
  if (connection.transaction) connection.transaction.notes[PARAMS] = params[1] ?? {};
  next();
}

export function hook_rcpt(
  this: unknown,
  next: Next,
  connection: HarakaConnection,
  params: [HarakaAddress],
): void {
  const txn = connection.transaction;
  if (!txn) return next();
  const recipient = params[0].address;
  transactionSession(connection, txn)
    .then(async (client) => {
      const reply = await client.command(`RCPT TO:<${recipient}>`);
      if (reply.code >= 200 && reply.code < 300) {
        accepted(txn).push(recipient);
        return next(constants.ok);
      }
      connection.loginfo(this, "recipient refused by Eider", { rcpt: recipient, reply: replyText(reply) });
      refuse(next, passOn(reply));
    })
    .catch((err: unknown) => {
      connection.logerror(this, `eider: LMTP failed at RCPT: ${(err as Error).message}`);
      dropSession(connection);
      refuse(next, UNAVAILABLE);
    });
}

/**
 * End of DATA: the checks, then delivery over LMTP and the one reply. Done here rather than in hook_queue because
 * Haraka answers a queue hook's refusal 450 or 550 whatever the code, while a data_post refusal keeps its own
 * (451 for "try again", 552 / 554 passed on from Eider).
 */
export function hook_data_post(this: unknown, next: Next, connection: HarakaConnection): void {
  const txn = connection.transaction;
  if (!txn) return next();
  void (async () => {
    const raw = await messageOf(txn);
    if (raw.includes(0)) return refuse(next, NUL_REFUSAL);
    const mailFrom = txn.mail_from.isNull() ? "" : txn.mail_from.address;
    const auth = await authenticateInbound({
      raw,
      clientIp: connection.remote.ip,
      helo: connection.hello.host ?? "",
      mailFrom,
      authservId: settings.authservId,
      resolver,
    });
    connection.loginfo(this, "eider: authentication", {
      spf: auth.spf.result,
      dkim: auth.dkim.map((d) => `${d.domain}:${d.result}`).join(","),
      dmarc: `${auth.dmarc.result}/${auth.dmarc.action}`,
      arc: auth.arc.result,
    });
    if (auth.dmarc.action === "reject") return refuse(next, dmarcRefusal(auth));
    const spam = await spamVerdict(this, connection, txn, raw, mailFrom);
    const fields = auth.dmarc.action === "quarantine" ? quarantined(auth, spam) : spam;
    const answer = await deliver(this, connection, txn, withSpamVerdict(auth.message, fields));
    if (answer.code >= 300) return refuse(next, answer);
    txn.notes[ANSWER] = answer.text;
    next();
  })().catch((err: unknown) => {
    connection.logerror(this, `eider: delivering the message failed: ${(err as Error).message}`);
    dropSession(connection);
    refuse(next, UNAVAILABLE);
  });
}

/** Rspamd's verdict as the trusted spam fields; none when Rspamd is not configured or fails (logged). */
async function spamVerdict(
  plugin: unknown,
  connection: HarakaConnection,
  txn: HarakaTransaction,
  raw: Buffer,
  mailFrom: string,
): Promise<string[]> {
  if (!settings.rspamd) return [];
  try {
    const verdict = await scan(settings.rspamd, raw, {
      ip: connection.remote.ip,
      helo: connection.hello.host ?? undefined,
      hostname: knownHost(connection.remote.host),
      mailFrom,
      recipients: accepted(txn),
      queueId: txn.uuid,
    });
    connection.loginfo(plugin, "eider: rspamd verdict", verdict);
    return verdictHeaders(verdict);
  } catch (err) {
    // Unscored mail is still mail: it goes to the INBOX, and the log says why it was not scored.
    connection.logwarn(plugin, `eider: delivering unscored, Rspamd failed: ${(err as Error).message}`);
    return [];
  }
}

/** RFC 7489 §7.3 (and §6.6.4): a failing message under p=reject is refused at DATA with 550 5.7.1. */
function dmarcRefusal(auth: InboundAuthentication): SmtpAnswer {
  return {
    code: 550,
    text: `5.7.1 The message fails DMARC for ${auth.dmarc.domain}, whose policy is to reject it (SPF ${auth.spf.result}, DKIM ${auth.dkim.map((d) => d.result).join("/") || "none"}).`,
  };
}

/**
 * DMARC p=quarantine (RFC 7489 §6.3): the message goes to Junk whatever its spam score, so the verdict says spam
 * without a score (a score would be weighed against the user's level); Rspamd's action stays for the record.
 */
function quarantined(auth: InboundAuthentication, fields: string[]): string[] {
  return [
    `X-Spam-Status: Yes, reason=dmarc-quarantine (${auth.dmarc.domain})`,
    "X-Spam-Flag: YES",
    ...fields.filter((f) => f.startsWith("X-Rspamd-Action:")),
  ];
}

/** Every recipient's copy is stored by now (hook_data_post): the queue step only says so. */
export function hook_queue(next: Next, connection: HarakaConnection): void {
  const answer = connection.transaction?.notes[ANSWER];
  if (typeof answer !== "string") return refuse(next, UNAVAILABLE);
  next(constants.ok, answer);
}

/** Sends the message over LMTP and turns the recipients' replies into the one SMTP answer. */
async function deliver(
  plugin: unknown,
  connection: HarakaConnection,
  txn: HarakaTransaction,
  message: Buffer,
): Promise<SmtpAnswer> {
  const client = await transactionSession(connection, txn);
  const recipients = accepted(txn);
  const replies = await client.data(message, recipients.length);
  txn.notes[MAIL_SENT] = false; // the LMTP transaction is over, whatever the replies
  const verdict = dataVerdict(recipients.map((recipient, i) => ({ recipient, reply: replies[i] })));
  for (const b of verdict.bounced)
    connection.logwarn(plugin, "eider: recipient refused after DATA, the sender is owed a DSN", {
      rcpt: b.recipient,
      reply: `${b.reply.code} ${replyText(b.reply)}`,
    });
  return verdict.answer;
}

/** A transaction that ends before its DATA reply (RSET, a refused DATA, a new MAIL) ends on the LMTP side too. */
export function hook_reset_transaction(next: Next, connection: HarakaConnection): void {
  const client = connection.notes[SESSION] as LmtpClient | undefined;
  if (!connection.transaction?.notes[MAIL_SENT] || !client?.usable) return next();
  client.command("RSET").then(
    () => next(),
    () => {
      dropSession(connection);
      next();
    },
  );
}

export function hook_disconnect(next: Next, connection: HarakaConnection): void {
  const client = connection.notes[SESSION] as LmtpClient | undefined;
  delete connection.notes[SESSION];
  if (client) void client.quit();
  next();
}

function accepted(txn: HarakaTransaction): string[] {
  return ((txn.notes[ACCEPTED] as string[] | undefined) ??= []);
}

/**
 * The LMTP session with this transaction's MAIL FROM and accepted recipients in place. A session that died since
 * (Eider's idle timeout while a slow client sent DATA, a restart) is opened again and the recipients given again.
 */
async function transactionSession(connection: HarakaConnection, txn: HarakaTransaction): Promise<LmtpClient> {
  let client = connection.notes[SESSION] as LmtpClient | undefined;
  if (client?.usable && txn.notes[MAIL_SENT]) return client;
  if (!client?.usable) {
    client = await openSession(connection);
    connection.notes[SESSION] = client;
  }
  const params = (txn.notes[PARAMS] as Record<string, string> | undefined) ?? {};
  const from = txn.mail_from.isNull() ? "" : txn.mail_from.address;
  const extras = [
    params.BODY ? `BODY=${params.BODY.toUpperCase()}` : "",
    "SMTPUTF8" in params ? "SMTPUTF8" : "",
    params.SIZE ? `SIZE=${Number(params.SIZE)}` : "",
  ].filter(Boolean);
  const mail = await client.command(`MAIL FROM:<${from}>${extras.map((e) => ` ${e}`).join("")}`);
  if (mail.code >= 300) throw new Error(`Eider refused MAIL FROM: ${mail.code} ${replyText(mail)}`);
  txn.notes[MAIL_SENT] = true;
  // Recipients Haraka already took (a session opened again at DATA): each must be taken again.
  const again = [...accepted(txn)];
  txn.notes[ACCEPTED] = [];
  for (const recipient of again) {
    const reply: Reply = await client.command(`RCPT TO:<${recipient}>`);
    if (reply.code >= 300)
      throw new Error(`Eider refused ${recipient} on a new session: ${reply.code} ${replyText(reply)}`);
    accepted(txn).push(recipient);
  }
  return client;
}

async function openSession(connection: HarakaConnection): Promise<LmtpClient> {
  const client = await LmtpClient.connect({
    host: settings.lmtp.host,
    port: settings.lmtp.port,
    name: settings.serverName,
    timeoutMs: settings.lmtp.timeoutMs,
  });
  if (!client.capabilities.has("XCLIENT")) {
    client.close();
    throw new Error(
      "Eider's LMTP listener does not offer XCLIENT to this host: add its address to [lmtp] xclient_networks.",
    );
  }
  await client.xclient({
    addr: connection.remote.ip,
    name: knownHost(connection.remote.host),
    helo: connection.hello.host ?? undefined,
    proto: connection.hello.verb === "EHLO" ? "ESMTP" : "SMTP",
  });
  return client;
}

function dropSession(connection: HarakaConnection): void {
  const client = connection.notes[SESSION] as LmtpClient | undefined;
  delete connection.notes[SESSION];
  client?.close();
  if (connection.transaction) connection.transaction.notes[MAIL_SENT] = false;
}

/** Haraka's placeholders for a client without a reverse name are not names. */
function knownHost(host: string | null): string | undefined {
  return host && !["NXDOMAIN", "DNSERROR", "Unknown"].includes(host) ? host : undefined;
}

/**
 * The message exactly as the client sent it (dot-stuffing undone), with Haraka's Received line on top. Haraka's
 * own copy of the header section is re-encoded from a parse (8-bit bytes that are not UTF-8 would change), so
 * the raw lines are read with its parsed headers set aside for this one read.
 */
function messageOf(txn: HarakaTransaction): Promise<Buffer> {
  const stream = txn.message_stream;
  const parsed = stream.headers;
  stream.headers = [];
  try {
    return new Promise((resolve) => stream.get_data(resolve));
  } finally {
    stream.headers = parsed;
  }
}
