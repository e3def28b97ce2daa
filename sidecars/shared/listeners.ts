// The two listeners of a mail sidecar: cleartext (with STLS / STARTTLS) and implicit TLS, the latter taking
// the new certificate on every reload (SIGHUP). Each accepted socket, plain or TLS, goes to one callback.
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import type { TlsCertificates } from "./tls.js";

export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Null: no implicit-TLS listener (nor without `tls`). */
  tlsPort: number | null;
  tls?: TlsCertificates;
}

export interface Listeners {
  /** The cleartext port actually bound. */
  port: number;
  /** The implicit-TLS port actually bound, or null. */
  tlsPort: number | null;
  /** Stops accepting; resolves once both listeners are closed (open connections are the caller's). */
  close(): Promise<void>;
}

export async function listenCleartextAndTls(
  options: ListenOptions,
  accept: (socket: Socket) => void,
): Promise<Listeners> {
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
    stopReload?.();
    throw e;
  }
  return {
    port: portOf(plain),
    tlsPort: secure ? portOf(secure) : null,
    async close() {
      stopReload?.();
      await Promise.all(
        [plain, secure]
          .filter((s): s is Server => s !== null)
          .map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

function portOf(server: Server): number {
  const a = server.address();
  return typeof a === "object" && a ? a.port : 0;
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
