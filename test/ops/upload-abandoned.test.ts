// A client that drops its connection halfway through a raw upload: the server stops waiting for the body
// (the request's work ends and its buffers go), stores nothing, logs it as the client's doing (info, not an
// error or a 500), and carries on serving.
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { startEider, type RunningEider } from "../../src/main.js";
import { simpleMessage } from "../api/fixtures.js";
import { ADMIN_TOKEN, createUser, gqlOk, type TestUser } from "../harness/eider.js";

describe("An upload the client abandons mid-body", () => {
  const logs: Array<Record<string, any>> = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-abandon-"));
  let eider: RunningEider;
  let user: TestUser;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split("\n")) if (line) logs.push(JSON.parse(line));
        done();
      },
    });
    const config = loadConfig({
      env: {
        EIDER_DATA_DIR: dataDir,
        EIDER_ADMIN_TOKEN: ADMIN_TOKEN,
        EIDER_HTTP_PORT: "0",
        EIDER_LMTP_PORT: "0",
        EIDER_POP3_PORT: "0",
        EIDER_POP3_TLS_PORT: "0",
        EIDER_IMAP_PORT: "0",
        EIDER_IMAP_TLS_PORT: "0",
        EIDER_SUBMISSION_PORT: "0",
        EIDER_SUBMISSION_TLS_PORT: "0",
      },
    });
    eider = await startEider(config, pino({ level: "info" }, sink));
    user = await createUser(eider.http.url, "abby");
  });
  afterAll(async () => {
    await eider?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("ends the request's work, stores nothing, and logs it as info without a 500", async () => {
    const raw = simpleMessage({ subject: "Half of me", body: "y".repeat(50_000) });
    const { port } = new URL(eider.http.url);
    const socket = net.connect(Number(port), "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(
      `POST /upload/${user.inbox} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n` +
        `Content-Type: message/rfc822\r\nContent-Length: ${raw.length}\r\n\r\n`,
    );
    socket.write(raw.subarray(0, raw.length >> 1));
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();

    let abandoned: Record<string, any> | undefined;
    for (let i = 0; i < 100 && !abandoned; i++) {
      abandoned = logs.find((l) => l.msg === "request abandoned by the client");
      if (!abandoned) await new Promise((r) => setTimeout(r, 20));
    }
    expect(abandoned).toMatchObject({ route: "/upload", level: 30 });
    expect(abandoned!.bytes).toBeGreaterThan(0);
    expect(abandoned!.bytes).toBeLessThan(raw.length);
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);

    const box = await gqlOk(
      eider.http.url,
      `query($id: ID!) { mailbox(id: $id) { total } }`,
      { id: user.inbox },
      user.token,
    );
    expect(box.mailbox.total).toBe(0);
    const metrics = await (await fetch(`${eider.http.url}/metrics`)).text();
    expect(metrics).not.toMatch(/route="\/upload",status="500"/);
  });
});
