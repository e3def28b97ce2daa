// The smarthost transport: every message goes to one relay (`[outbound] relay`), which queues and delivers it.
// Also the autoreply responder's way out (`outboundPort`), whatever the transport.
import { hostname } from "node:os";
import type { OutboundPort, OutboundTransport, TransportResult } from "../core/index.js";
import { sendSmtpTransaction, SmtpUnreachable, type SmtpServerOptions } from "./smtp-transaction.js";

/**
 * The relay's address as a URL: `smtp://host:port` (STARTTLS when offered; port 25 by default), `smtps://host:port`
 * (implicit TLS; port 465), `user:password@` (percent-encoded) before the host for AUTH, and query options
 * `requireTLS=true` (STARTTLS must succeed) and `tls.<option>=value` (`tls.rejectUnauthorized=false` accepts a
 * self-signed certificate).
 */
export function parseRelayUrl(url: string, name: string): SmtpServerOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`Relay "${url}" is not a URL such as smtp://relay.example.com:587.`);
  }
  if (u.protocol !== "smtp:" && u.protocol !== "smtps:")
    throw new Error(`Relay "${url}" must start with smtp:// or smtps://.`);
  if (!u.hostname) throw new Error(`Relay "${url}" names no host.`);
  const secure = u.protocol === "smtps:";
  const tls: Record<string, string | boolean> = {};
  let requireTls = false;
  for (const [key, value] of u.searchParams) {
    const typed = value === "true" ? true : value === "false" ? false : value;
    if (key === "requireTLS") requireTls = typed === true;
    else if (key.startsWith("tls.")) tls[key.slice(4)] = typed;
    else throw new Error(`Relay option "${key}" in "${url}" is not known (requireTLS, tls.<option>).`);
  }
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    requireTls,
    name,
    auth: u.username
      ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) }
      : undefined,
    tls,
  };
}

/** Every message to the relay, one transaction each; an unreachable relay is every recipient refused for now. */
export function smarthost(url: string, options: { name: string }): OutboundTransport {
  const server = parseRelayUrl(url, options.name);
  return {
    name: `smarthost ${server.secure ? "smtps" : "smtp"}://${server.host}:${server.port}`,
    async deliver(message): Promise<TransportResult> {
      try {
        return await sendSmtpTransaction(server, message);
      } catch (err) {
        if (!(err instanceof SmtpUnreachable)) throw err;
        const response = `${server.host}:${server.port}: ${err.message}`;
        return {
          accepted: [],
          refused: message.recipients.map((recipient) => ({ recipient, response, permanent: false })),
        };
      }
    },
    async close() {},
  };
}

/** A transport as the autoreply responder's port: sent once every recipient accepted it. */
export function outboundPort(transport: OutboundTransport): OutboundPort {
  return {
    async send(message) {
      const result = await transport.deliver({
        mailFrom: message.from,
        recipients: message.to,
        raw: message.raw,
      });
      if (result.refused.length > 0)
        throw new Error(
          `${transport.name} refused ${result.refused.map((r) => `${r.recipient} (${r.response})`).join(", ")}`,
        );
    },
    close: () => transport.close(),
  };
}

/** The autoreply responder's port through one relay (EHLO with this host's name). */
export function smtpRelay(url: string, name = hostname()): OutboundPort {
  return outboundPort(smarthost(url, { name }));
}
