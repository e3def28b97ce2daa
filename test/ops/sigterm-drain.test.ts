// SIGTERM while raw uploads are still streaming in: `eider serve` stops accepting at once, answers every
// upload in flight (stored exactly once), closes idle keep-alive connections cleanly, and exits 0; an upload
// that outlasts the configured grace period is cut off, and the process still exits 0 within it.
import http from "node:http";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simpleMessage } from "../api/fixtures.js";
import { ensureBuild } from "../cli/ensure-build.js";
import { ADMIN_TOKEN, createUser, gqlOk } from "../harness/eider.js";
import { startServe, type ServeProcess } from "./serve-process.js";

const started: ServeProcess[] = [];
async function serve(...args: Parameters<typeof startServe>): Promise<ServeProcess> {
  const s = await startServe(...args);
  started.push(s);
  return s;
}
beforeAll(async () => {
  await ensureBuild();
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const dir of new Set(started.map((s) => s.dataDir))) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
  connection: string | undefined;
}

/** A POST /upload whose body goes out in pieces: the headers and the first half now, the rest on `finish()`. */
function slowUpload(url: string, mailboxId: string, token: string, raw: Buffer) {
  const req = http.request(`${url}/upload/${mailboxId}`, {
    method: "POST",
    agent: new http.Agent({ keepAlive: true }),
    headers: {
      "content-type": "message/rfc822",
      "content-length": raw.length,
      authorization: `Bearer ${token}`,
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.once("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.once("end", () =>
        resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }),
      );
      res.once("error", reject);
    });
    req.once("error", reject);
  });
  answer.catch(() => {}); // awaited by the test; a reset must not become an unhandled rejection first
  const half = raw.length >> 1;
  req.write(raw.subarray(0, half));
  return { answer, finish: () => req.end(raw.subarray(half)) };
}

async function refusesConnections(url: string): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    } catch (err) {
      if (((err as { cause?: { code?: string } }).cause ?? {}).code === "ECONNREFUSED") return true;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

const INBOX = `query($id: ID!) { mailbox(id: $id) { total messages(first: 50) { edges { node { subject } } } } }`;

describe("SIGTERM drains eider serve", () => {
  it("answers every upload still streaming in, stores each exactly once, refuses new connections, exits 0", async () => {
    const env = { EIDER_ADMIN_TOKEN: ADMIN_TOKEN, EIDER_LOG_LEVEL: "info" };
    const first = await serve({ env });
    const user = await createUser(first.url, "terry");
    // An idle keep-alive connection, as a client between two requests holds one.
    const idleAgent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http
        .get(`${first.url}/health`, { agent: idleAgent }, (res) => res.resume().once("end", resolve))
        .once("error", reject),
    );

    const subjects = ["one", "two", "three", "four"].map((s) => `In flight ${s}`);
    const uploads = subjects.map((subject) =>
      slowUpload(first.url, user.inbox, user.token, simpleMessage({ subject, body: "x".repeat(20_000) })),
    );
    // Each server has the first half of its body: it holds the request.
    await new Promise((r) => setTimeout(r, 200));

    first.child.kill("SIGTERM");
    await first.waitForStdout(/"msg":"shutting down"/);
    expect(await refusesConnections(first.url)).toBe(true);
    expect(first.child.exitCode).toBeNull(); // still running: it waits for the uploads

    for (const u of uploads) u.finish();
    const answers = await Promise.all(uploads.map((u) => u.answer));
    for (const a of answers) {
      expect(a.status, a.body).toBe(201);
      expect(a.connection).toBe("close"); // no client reuses a connection of a server that is going away
    }
    expect(await first.exited).toEqual({ code: 0, signal: null });
    idleAgent.destroy();
    const logs = first.logLines();
    expect(logs.some((l) => l.msg === "eider stopped")).toBe(true);

    const second = await serve({ dataDir: first.dataDir, env });
    const inbox = await gqlOk(second.url, INBOX, { id: user.inbox }, user.token);
    expect(inbox.mailbox.total).toBe(subjects.length);
    expect(
      inbox.mailbox.messages.edges.map((e: { node: { subject: string } }) => e.node.subject).sort(),
    ).toEqual([...subjects].sort());
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });

  it("cuts off an upload that outlasts the grace period (EIDER_HTTP_SHUTDOWN_GRACE_SECONDS), stores nothing of it, and exits 0", async () => {
    const env = {
      EIDER_ADMIN_TOKEN: ADMIN_TOKEN,
      EIDER_LOG_LEVEL: "info",
      EIDER_HTTP_SHUTDOWN_GRACE_SECONDS: "1",
    };
    const first = await serve({ env });
    const user = await createUser(first.url, "gus");
    const stuck = slowUpload(first.url, user.inbox, user.token, simpleMessage({ subject: "Never finished" }));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    first.child.kill("SIGTERM");
    await expect(stuck.answer).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(15_000); // bounded by the grace period, not by the client
    expect(first.logLines().some((l) => l.msg === "shutdown grace period over: closing connections")).toBe(
      true,
    );

    const second = await serve({ dataDir: first.dataDir, env });
    const inbox = await gqlOk(second.url, INBOX, { id: user.inbox }, user.token);
    expect(inbox.mailbox.total).toBe(0);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });
});
