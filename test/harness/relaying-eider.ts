// An Eider in this process whose outbound queue relays to a real smtp-server on loopback (the remote MX of a
// test): what leaves the server is what the sink received.
import { startTestEider, type TestEider } from "./eider.js";
import { SmtpSink } from "./smtp-sink.js";

export interface RelayingEider {
  server: TestEider;
  sink: SmtpSink;
  stop(): Promise<void>;
}

/** `env`: further EIDER_* settings. The sink offers no STARTTLS, so the relay's bytes are plain to compare. */
export async function startRelayingEider(env: Record<string, string> = {}): Promise<RelayingEider> {
  const sink = new SmtpSink({ starttls: false });
  const port = await sink.listen();
  const server = await startTestEider({
    env: { EIDER_OUTBOUND_MODE: "smarthost", EIDER_OUTBOUND_RELAY: `smtp://127.0.0.1:${port}`, ...env },
  });
  return {
    server,
    sink,
    async stop() {
      await server.stop();
      await sink.close();
    },
  };
}
