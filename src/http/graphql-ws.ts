import { CloseCode, handleProtocols, makeServer, type ServerOptions } from "graphql-ws";
import type { IncomingMessage } from "node:http";
import type { Logger } from "pino";
import type { WebSocket, WebSocketServer } from "ws";

export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

// A client that stops answering pings is dropped after this long.
const KEEP_ALIVE_MS = 12_000;

/**
 * Serves the graphql-ws protocol on a `ws` server, like graphql-ws's own `useServer`, except that every
 * error goes to our pino logger (one JSON line, no stack for what a client caused) instead of
 * console.error: a client sending a frame over `maxPayload` is refused by `ws` with 1009 and logged
 * as a warning, not printed as a plain-text stack trace.
 */
export function serveGraphqlWs(
  options: ServerOptions<Record<string, unknown> | undefined, WsExtra>,
  wss: WebSocketServer,
  logger: Logger,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.on("error", (err) => {
    logger.error({ err, protocol: "graphql-ws" }, "WebSocket server error");
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, "Internal server error");
  });

  wss.on("connection", (socket, request) => {
    // `ws` emits errors for what the peer sent (too large a frame, a bad opcode, invalid UTF-8) and has
    // already closed the socket with the right code (1009, 1002, 1007); anything else closes with 1011.
    socket.on("error", (err: Error & { code?: string }) => {
      logger.warn(
        { protocol: "graphql-ws", code: err.code, reason: err.message, remote: request.socket.remoteAddress },
        "WebSocket closed on an error",
      );
      if (socket.readyState === socket.OPEN)
        socket.close(CloseCode.InternalServerError, "Internal server error");
    });

    let pongWait: NodeJS.Timeout | null = null;
    const pinger = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once("pong", () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, KEEP_ALIVE_MS);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on("message", async (data) => {
            try {
              await cb(String(data));
            } catch (err) {
              logger.error({ err, protocol: "graphql-ws" }, "WebSocket message handling failed");
              socket.close(CloseCode.InternalServerError, "Internal server error");
            }
          }),
      },
      { socket, request },
    );

    socket.once("close", (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(pinger);
      void closed(code, String(reason)).catch((err: unknown) =>
        logger.error({ err, protocol: "graphql-ws" }, "WebSocket clean-up failed"),
      );
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, "Going away");
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
