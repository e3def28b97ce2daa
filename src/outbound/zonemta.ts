// The outbox's transport in a cluster (`[outbound] mode = "zonemta"`): ZoneMTA's feeder port, logged in with the
// relay login of `[outbound] zonemta_url`. The Eider plugin in ZoneMTA (sidecars/zonemta/) knows that login as this
// server's outbox and queues the message unchanged: it was checked, signed and copied to Sent before the outbox
// took it. ZoneMTA then owns the delivery (MX look-up, retries, bounces), so "sent" here means ZoneMTA queued it.
// On the wire it is a smarthost with AUTH; a refused login (a relay login out of step with the plugin's config) is
// every recipient refused for now, so the outbox tries again once the operator fixed it.
import type { OutboundTransport } from "../core/index.js";
import { smarthost } from "./smarthost.js";

/** `url`: smtp(s)://user:password@host:port; `name`: our EHLO name. */
export function zonemtaTransport(url: string, options: { name: string }): OutboundTransport {
  const feeder = smarthost(url, options);
  return { ...feeder, name: `zonemta ${feeder.name.replace(/^smarthost /, "")}` };
}
