// FETCH 1:* BODY.PEEK[] of a large mailbox to a client that reads slowly: the server reads the store only as
// fast as the client takes the answer (it waits for the socket to drain), so what it holds stays bounded
// whatever the mailbox's size, and waiting hundreds of times leaves no listeners behind.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../../src/core/index.js";
import { openTestCore, type TestCore, type TestCoreOptions } from "../../../test/harness/core.js";
import { DEFAULT_IMAP_LIMITS } from "../protocol/limits.js";
import { startImap, type ImapServer } from "../server.js";
import { RawImap } from "./raw-imap.js";

const MESSAGES = 3000;
const MESSAGE_BYTES = 20_000;
/** A chunk of messages read from the store (100 x 20 KB) plus what the loopback socket buffers hold; a server that
 * did not wait for the socket to drain would be the whole 60 MB ahead. */
const MAX_AHEAD_BYTES = 16 * 1024 * 1024;

/** The store as the test harness hands it to a wrapper (a sidecar may not import storage/ types). */
type Store = Parameters<NonNullable<TestCoreOptions["wrapStore"]>>[0];

/** Counts the message bytes the store hands out for bulk reads. */
function countingStore(store: Store, counter: { bytes: number }): Store {
  const messages = new Proxy(store.messages, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key !== "listContents" || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const rows = await (value as (...a: unknown[]) => Promise<Array<{ size: number }>>).apply(
          target,
          args,
        );
        for (const row of rows) counter.bytes += row.size;
        return rows;
      };
    },
  });
  return new Proxy(store, {
    get: (target, key) => (key === "messages" ? messages : Reflect.get(target, key)),
  });
}

function message(n: number): Buffer {
  const head = Buffer.from(`Subject: bulk ${n}\r\nMessage-ID: <bulk-${n}@test>\r\n\r\n`);
  return Buffer.concat([
    head,
    Buffer.alloc(MESSAGE_BYTES - head.length - 2, 0x61 + (n % 26)),
    Buffer.from("\r\n"),
  ]);
}

describe("FETCH to a slow reader", () => {
  let t: TestCore;
  let server: ImapServer | null;
  const read = { bytes: 0 };

  beforeAll(async () => {
    t = await openTestCore({ wrapStore: (store) => countingStore(store, read) });
    const { userId, inboxId } = await t.addUser("bulk");
    const p: Principal = { kind: "user", userId };
    const ids: string[] = [];
    for (let n = 0; n < 20; n++)
      ids.push((await t.core.uidMailboxes.append(p, inboxId, message(n))).messageId);
    // Copies double the mailbox (distinct ids: a copy of one id twice is one copy), 500 at a time.
    while (ids.length < MESSAGES) {
      const batch = ids.slice(0, Math.min(500, MESSAGES - ids.length));
      ids.push(...(await t.core.messages.copy(p, batch, inboxId)).map((m) => m.id));
    }
    server = await startImap({
      core: t.core,
      host: "127.0.0.1",
      port: 0,
      tlsPort: null,
      trustedNetworks: [],
      hostname: "eider.test",
      limits: DEFAULT_IMAP_LIMITS,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it("reads the store no further ahead of the client than the socket buffers hold, and answers every message", async () => {
    const login = await RawImap.connect(server!.port);
    await login.next();
    expect((await login.status("a", 'LOGIN bulk "a long secret"')).status).toBe("OK");
    expect((await login.status("b", "SELECT INBOX")).line).toMatch(/^b OK/);
    // From here a client that reads by hand, slowly, and keeps nothing but counts.
    const socket = login.socket as net.Socket;
    socket.removeAllListeners("data");
    // One 'readable' listener for the whole read: removing the last one can set the socket flowing again.
    let wake: () => void = () => {};
    socket.on("readable", () => wake());
    const before = read.bytes;
    socket.write("c FETCH 1:* (BODY.PEEK[])\r\n");
    let received = 0;
    let maxAhead = 0;
    let tail = "";
    while (!tail.includes("\r\nc OK")) {
      const chunk = (socket.read(4096) ?? socket.read()) as Buffer | null;
      if (chunk === null) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      received += chunk.length;
      tail = (tail + chunk.toString("latin1")).slice(-64);
      maxAhead = Math.max(maxAhead, read.bytes - before - received);
      // Slow: the server gets many turns of the event loop for every 4 KB taken, so it fills the socket.
      for (let i = 0; i < 64; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    // The server's end of the connection lives in this process too: waiting for drain left nothing on it.
    const sockets = (process as unknown as { _getActiveHandles(): unknown[] })
      ._getActiveHandles()
      .filter(
        (h): h is net.Socket => h instanceof net.Socket && h !== socket && h.remotePort === socket.localPort,
      );
    expect(sockets).toHaveLength(1);
    expect(sockets[0].listenerCount("close")).toBeLessThan(5);
    login.destroy();
    const total = read.bytes - before;
    console.log(
      `slow reader: ${(total / 1e6).toFixed(1)} MB read from the store, at most ${(maxAhead / 1e6).toFixed(1)} MB ahead of the client`,
    );
    expect(total).toBe(MESSAGES * MESSAGE_BYTES);
    expect(received).toBeGreaterThan(total);
    expect(maxAhead).toBeLessThan(MAX_AHEAD_BYTES);
  }, 120_000);

  it("stops reading the mailbox once the client has gone", async () => {
    const imap = await RawImap.connect(server!.port);
    await imap.next();
    expect((await imap.status("a", 'LOGIN bulk "a long secret"')).status).toBe("OK");
    expect((await imap.status("b", "SELECT INBOX")).line).toMatch(/^b OK/);
    const before = read.bytes;
    const answering = new Promise<void>((resolve) => imap.socket.once("data", () => resolve()));
    imap.send("c FETCH 1:* (BODY.PEEK[])\r\n");
    await answering;
    imap.destroy();
    // Closing the server waits for the commands still running: the FETCH has ended by then.
    await server!.close();
    server = null;
    const total = MESSAGES * MESSAGE_BYTES;
    console.log(`client gone: ${((read.bytes - before) / 1e6).toFixed(1)} MB of ${total / 1e6} MB read`);
    expect(read.bytes - before).toBeLessThan(total / 2);
  }, 120_000);
});
