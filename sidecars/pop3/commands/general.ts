// CAPA (RFC 2449), NOOP, QUIT and the UPDATE state (RFC 1939 §6), STLS (RFC 2595), UTF8 (RFC 6856).
import { err, ok } from "../protocol/response.js";
import type { Pop3Session } from "../session.js";

export async function capa(s: Pop3Session): Promise<void> {
  const lines = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "UTF8 USER"];
  // Dovecot's rule: mechanisms that send a password are offered only where they would be accepted.
  if (s.state === "AUTHORIZATION" && s.plaintextAllowed()) lines.push("USER", "SASL PLAIN");
  if (s.state === "AUTHORIZATION" && s.options.tls && !s.secure) lines.push("STLS");
  lines.push("IMPLEMENTATION Eider");
  s.write(`${ok("Capability list follows")}${lines.map((l) => `${l}\r\n`).join("")}.\r\n`);
}

export async function noop(s: Pop3Session): Promise<void> {
  s.write(ok());
}

export async function quit(s: Pop3Session): Promise<void> {
  if (s.state === "AUTHORIZATION") return s.end(ok("Bye."));
  s.state = "UPDATE";
  try {
    const done = await s.maildrop!.update(s.options.deleAction);
    s.end(ok(`Bye; ${done.deleted} deleted, ${done.seen} marked seen.`));
  } catch (e) {
    s.options.log?.("error", { protocol: "pop3", err: e, user: s.username }, "pop3 update failed");
    s.end(err("Some deleted messages were not removed; try again.", "SYS/TEMP"));
  }
}

export async function stls(s: Pop3Session): Promise<void> {
  if (s.secure) return s.write(err("TLS is already active."));
  if (!s.options.tls) return s.write(err("STLS is not available here."));
  await s.writeFlushed(ok("Begin TLS negotiation."));
  s.startTls();
}

export async function utf8(s: Pop3Session): Promise<void> {
  s.utf8 = true;
  s.write(ok("UTF-8 mode on."));
}
