// The WebSocket transport refuses what a client should not send with the protocol's close codes, and
// reports it through the server's JSON logger, never as a plain-text stack trace on the console.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { createUser, startTestEider, upload, watch, type TestEider } from "../harness/eider.js";
import { simpleMessage } from "./fixtures.js";

describe("GraphQL over WebSocket: oversized frames", () => {
  let server: TestEider;
  let url: string;

  beforeAll(async () => {
    server = await startTestEider();
    url = server.url;
  });
  afterAll(async () => server?.stop());

  it("closes on a 2 MiB frame with 1009, logs one warning through pino and nothing on the console", async () => {
    const consoleError = vi.spyOn(console, "error");
    const warn = vi.spyOn(server.eider.logger, "warn");
    const socket = new WebSocket(url.replace(/^http/, "ws") + "/graphql", "graphql-transport-ws");
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.once("error", () => {}); // the client side sees the close; nothing to do here
    await new Promise<void>((resolve) => socket.once("open", () => resolve()));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await new Promise<void>((resolve) => socket.once("message", () => resolve())); // connection_ack
    socket.send(
      JSON.stringify({ type: "subscribe", id: "1", payload: { query: "x".repeat(2 * 1024 * 1024) } }),
    );
    expect(await closed).toBe(1009);
    // The server's side of the close may trail the client's by a tick.
    for (let i = 0; i < 100 && warn.mock.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ protocol: "graphql-ws", code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" }),
      "WebSocket closed on an error",
    );
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
    warn.mockRestore();
  });

  it("keeps serving subscriptions afterwards", async () => {
    const user = await createUser(url, "ws-after");
    const w = watch(
      url,
      `subscription($m: ID!) { mailboxChanged(mailboxId: $m) { type } }`,
      { m: user.inbox },
      user.token,
    );
    for (let i = 0; i < 100 && w.events.length === 0; i++) {
      await upload(url, user, simpleMessage({ subject: `after ${i}` }));
      await Promise.race([w.waitFor(1), new Promise((r) => setTimeout(r, 50))]);
    }
    expect((await w.waitFor(1))[0].mailboxChanged.type).toBeTruthy();
    await w.close();
  });
});
