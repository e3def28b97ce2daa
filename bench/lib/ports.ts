// Waiting for a listener: Eider's /health answers once HTTP listens, before LMTP and POP3 do.
import net from "node:net";

export function canConnect(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves once every port accepts a connection; throws after `timeoutMs`. */
export async function waitForPorts(ports: number[], timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  for (const port of ports)
    while (!(await canConnect(port))) {
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`Nothing listens on port ${port} after ${timeoutMs} ms.`);
      await new Promise((r) => setTimeout(r, 50));
    }
}
