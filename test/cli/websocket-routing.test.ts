// The HTTP server hands WebSocket upgrades to graphql-ws itself (not through `new WebSocketServer({ server })`,
// which re-emitted a taken port as a WebSocket error with a stack trace): /graphql upgrades, any other path
// is answered 404 and closed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestEider, type TestEider } from "../harness/eider.js";

let server: TestEider;
beforeAll(async () => {
  server = await startTestEider();
});
afterAll(async () => server?.stop());

/** The HTTP status of the answer to an upgrade request, or 101 when the WebSocket opened. */
function upgradeStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}${path}`, "graphql-transport-ws");
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", (err) => reject(err));
  });
}

describe("WebSocket routing", () => {
  it("upgrades /graphql (with a query string too) and answers 404 elsewhere", async () => {
    expect(await upgradeStatus("/graphql")).toBe(101);
    expect(await upgradeStatus("/graphql?x=1")).toBe(101);
    expect(await upgradeStatus("/health")).toBe(404);
    expect(await upgradeStatus("/graphqlx")).toBe(404);
  });
});
