// A client that resets its connection is the client's doing: the server logs it as information, not as an error
// (the fuzz run counted 32 such error lines in 300 sessions, ECONNRESET and EPIPE, before).
import net from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { startLmtpServer, type RunningLmtpServer } from "../server.js";

describe("LMTP: a client that resets its connection", () => {
  let t: TestCore;
  let server: RunningLmtpServer;
  const lines: Array<{ level: number; msg: string }> = [];
  const waiters: Array<() => void> = [];

  beforeAll(async () => {
    t = await openTestCore();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        waiters.splice(0).forEach((w) => w());
        done();
      },
    });
    server = await startLmtpServer(t.core, pino({ level: "info" }, sink), {
      host: "127.0.0.1",
      port: 0,
      maxMessageBytes: 1024 * 1024,
      overQuotaPermanent: false,
      maxConnections: 10,
      idleTimeoutMs: 60_000,
      shutdownGraceMs: 1000,
      starttls: null,
    });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  /** Waits for a line saying the connection's fate, either way. */
  async function loggedLoss() {
    const fate = ["lmtp connection failed", "lmtp server error"];
    while (!lines.some((l) => fate.includes(l.msg))) await new Promise<void>((r) => waiters.push(r));
  }

  it("a connection reset by the client is logged at info, not as a server error", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    let received = "";
    await new Promise<void>((resolve) =>
      socket.on("data", (d) => {
        received += d.toString();
        if (received.startsWith("220 ") && !received.includes("\r\n250"))
          socket.write("LHLO mx.client.test\r\nMAIL FROM:<a@remote.test>\r\n");
        if (received.includes("\r\n250 2.1.0")) resolve();
      }),
    );
    // RST instead of FIN inside a transaction (smtp-server passes socket errors on only there): the server's
    // next read fails with ECONNRESET, as when an MTA's process dies.
    socket.resetAndDestroy();
    await loggedLoss();
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.map((l) => l.msg)).toContain("lmtp connection failed");
    await expect.poll(() => server.sessions()).toBe(0);
  });
});
