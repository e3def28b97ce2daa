// The POP3 listeners: cleartext with STLS (1110) and implicit TLS (1995), one connection cap across both,
// idle timeouts per session, and a graceful close that says goodbye to every open session.
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
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

  const plain = createServer(accept);
  let secure: TlsServer | null = null;
  let stopReload: (() => void) | null = null;
  if (options.tlsPort !== null && options.tls) {
    const tls = options.tls;
    secure = createTlsServer({ ...tls.pair() }, accept);
    const server = secure;
    stopReload = tls.onReload((pair) => server.setSecureContext({ ...pair }));
    server.on("tlsClientError", (_e, socket) => socket.destroy());
  }

  await listen(plain, options.port, options.host);
  try {
    if (secure) await listen(secure, options.tlsPort!, options.host);
  } catch (e) {
    plain.close();
    throw e;
  }
  const portOf = (s: Server) => {
    const a = s.address();
    return typeof a === "object" && a ? a.port : 0;
  };
  return {
    port: portOf(plain),
    tlsPort: secure ? portOf(secure) : null,
    sessions: () => open.size,
    async close() {
      stopReload?.();
      const closed = [plain, secure]
        .filter((s): s is Server => s !== null)
        .map((s) => new Promise((r) => s.close(r)));
      for (const session of open) session.end(err("Server is shutting down.", "SYS/TEMP"));
      await Promise.all(closed);
      await Promise.all([...open].map((session) => session.idle()).concat([...finishing]));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
