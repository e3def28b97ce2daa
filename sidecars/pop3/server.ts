// The POP3 listeners: cleartext with STLS (1110) and implicit TLS (1995), one connection cap across both,
// idle timeouts per session, and a graceful close that says goodbye to every open session.
import type { Socket } from "node:net";
import { listenCleartextAndTls } from "../shared/listeners.js";
import { trustedNetworks } from "../shared/networks.js";
import type { Pop3Options } from "./options.js";
import { err } from "./protocol/response.js";
import { Pop3Session } from "./session.js";

export interface Pop3Server {
  /** The cleartext port actually bound. */
  port: number;
  /** The implicit-TLS port actually bound, or null. */
  tlsPort: number | null;
  /** Open sessions now. */
  sessions(): number;
  close(): Promise<void>;
}

export async function startPop3(options: Pop3Options): Promise<Pop3Server> {
  const isTrusted = trustedNetworks(options.trustedNetworks);
  const open = new Set<Pop3Session>();
  // Commands still running for sessions whose client has gone: a stop waits for them before the core closes.
  const finishing = new Set<Promise<void>>();

  const accept = (socket: Socket) => {
    socket.on("error", () => socket.destroy());
    if (open.size >= options.limits.maxConnections) {
      socket.end(err("Too many connections; try again later.", "SYS/TEMP"));
      return;
    }
    const session = new Pop3Session(
      socket,
      options,
      socket.remoteAddress ?? "",
      isTrusted(socket.remoteAddress),
      () => {
        open.delete(session);
        const idle = session.idle();
        finishing.add(idle);
        void idle.finally(() => finishing.delete(idle));
      },
    );
    open.add(session);
    session.start();
  };

  const listeners = await listenCleartextAndTls(options, accept);
  return {
    port: listeners.port,
    tlsPort: listeners.tlsPort,
    sessions: () => open.size,
    async close() {
      const closed = listeners.close();
      for (const session of open) session.end(err("Server is shutting down.", "SYS/TEMP"));
      await closed;
      await Promise.all([...open].map((session) => session.idle()).concat([...finishing]));
    },
  };
}
