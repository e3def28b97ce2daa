// The outbound port's adapter until the outbound service lands: nodemailer's SMTP transport to one relay
// (`[outbound] relay`), which queues and delivers. A message counts as sent once the relay accepted it for
// every recipient.
import nodemailer from "nodemailer";
import type { OutboundPort } from "../core/index.js";

/** Waits this long for the relay to connect, and at most this long for any one reply. */
const CONNECT_TIMEOUT_MS = 30_000;
const SOCKET_TIMEOUT_MS = 60_000;

/**
 * `url`: `smtp://host:port` (STARTTLS when the relay offers it), `smtps://host:port` (implicit TLS), with
 * `user:password@` before the host for AUTH.
 */
export function smtpRelay(url: string): OutboundPort {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  return {
    async send(message) {
      const info = await transport.sendMail({
        envelope: { from: message.from, to: message.to },
        raw: message.raw,
      });
      if (info.rejected.length > 0)
        throw new Error(`The relay refused ${info.rejected.join(", ")}: ${info.response}`);
    },
    async close() {
      transport.close();
    },
  };
}
