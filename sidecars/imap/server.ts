// The IMAP listeners: cleartext with STARTTLS (1143) and implicit TLS (1993), one connection cap across both,
// a per-user cap taken at login, and a graceful close that says BYE to every session and waits for the
// commands still running.
import type { Socket } from "node:net";
import { listenCleartextAndTls } from "../shared/listeners.js";
import { trustedNetworks } from "../shared/networks.js";
import type { ImapOptions } from "./options.js";
import { ImapConnection } from "./session.js";

export interface ImapServer {
  /** The cleartext port actually bound. */
  port: number;
  /** The implicit-TLS port actually bound, or null. */
  tlsPort: number | null;
  /** Open sessions now. */
  sessions(): number;
  /** Open sessions of one user now. */
  userSessions(userId: string): number;
  close(): Promise<void>;
}

export async function startImap(options: ImapOptions): Promise<ImapServer> {
  const isTrusted = trustedNetworks(options.trustedNetworks);
  const open = new Set<ImapConnection>();
  const perUser = new Map<string, number>();
  // Commands still running for sessions whose client has gone: a stop waits for them before the core closes.
  const finishing = new Set<Promise<void>>();

  const accept = (socket: Socket) => {
    socket.on("error", () => socket.destroy());
    if (open.size >= options.limits.maxConnections) {
      socket.end("* BYE [UNAVAILABLE] Too many connections; try again later.\r\n");
      socket.once("finish", () => socket.destroy());
      return;
    }
    const session: ImapConnection = new ImapConnection(socket, options, {
      trusted: isTrusted(socket.remoteAddress),
      claimUser(userId) {
        const n = perUser.get(userId) ?? 0;
        if (n >= options.limits.maxConnectionsPerUser) return false;
        perUser.set(userId, n + 1);
        return true;
      },
      releaseUser(userId) {
        const n = (perUser.get(userId) ?? 1) - 1;
        if (n <= 0) perUser.delete(userId);
        else perUser.set(userId, n);
      },
      onClose() {
        open.delete(session);
        const idle = session.idle();
        finishing.add(idle);
        void idle.finally(() => finishing.delete(idle));
      },
    });
    open.add(session);
    session.start();
  };

  const listeners = await listenCleartextAndTls(options, accept);
  return {
    port: listeners.port,
    tlsPort: listeners.tlsPort,
    sessions: () => open.size,
    userSessions: (userId) => perUser.get(userId) ?? 0,
    async close() {
      const closed = listeners.close();
      const sessions = [...open];
      for (const session of sessions) session.shutdown();
      await closed;
      await Promise.all(sessions.map((session) => session.idle()).concat([...finishing]));
    },
  };
}
