// What an operator sees of a running `eider serve`: /health, Prometheus /metrics, JSON log lines, the
// first-start banner with the generated admin token, and a graceful stop on SIGTERM that finishes the
// request in flight, refuses new connections, exits 0 and keeps what it acknowledged.
import { once } from "node:events";
import { readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simpleMessage } from "../api/fixtures.js";
import { ensureBuild } from "../cli/ensure-build.js";
import { ADMIN_TOKEN, createUser, gql, gqlOk, type TestUser } from "../harness/eider.js";
import { startServe, type ServeProcess } from "./serve-process.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UPLOAD = `mutation Upload($m: ID!, $r: String!) { uploadMessage(mailboxId: $m, raw: $r) { id uid } }`;
const INBOX_SUBJECTS = `query($id: ID!) { mailbox(id: $id) { total messages(first: 50) { edges { node { id subject } } } } }`;

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

describe("Operations: health, metrics and logs of eider serve", () => {
  let server: ServeProcess;
  let user: TestUser;

  beforeAll(async () => {
    server = await serve({ env: { EIDER_ADMIN_TOKEN: ADMIN_TOKEN, EIDER_LOG_LEVEL: "info" } });
    user = await createUser(server.url, "olga");
  });

  it("/health answers 200 with the status of the store and of the bus", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      status: "ok",
      store: { kind: "embedded", status: "ok" },
      bus: { kind: "memory", status: "ok" },
    });
  });

  it("/metrics answers Prometheus text with request counts, GraphQL timings and process metrics", async () => {
    await gqlOk(server.url, `query Boxes { mailboxes { id } }`, {}, user.token);
    expect((await gql(server.url, `{ noSuchField }`, {}, user.token)).errors).toBeDefined();

    // The request counter moves when the response has finished, which the client may see first: poll.
    let text = "";
    for (
      let i = 0;
      i < 100 && !text.includes(`eider_http_requests_total{route="/graphql",status="200"}`);
      i++
    ) {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      text = await res.text();
    }
    expect(text).toContain("# TYPE eider_http_requests_total counter");
    expect(text).toMatch(/^eider_http_requests_total\{route="\/graphql",status="200"\} [1-9]\d*$/m);
    expect(text).toContain("# TYPE eider_graphql_operation_seconds histogram");
    expect(text).toMatch(/^eider_graphql_operation_seconds_count\{type="query",outcome="ok"\} [1-9]\d*$/m);
    expect(text).toMatch(
      /^eider_graphql_operation_seconds_bucket\{le="\+Inf",type="query",outcome="ok"\} [1-9]\d*$/m,
    );
    expect(text).toMatch(
      /^eider_graphql_operation_seconds_count\{type="[a-z]+",outcome="error"\} [1-9]\d*$/m,
    );
    // Process and Node.js runtime metrics, under the same prefix.
    expect(text).toMatch(/^eider_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^eider_process_resident_memory_bytes \d/m);
    expect(text).toMatch(/^eider_nodejs_heap_size_used_bytes \d/m);
    expect(text).toMatch(/^eider_nodejs_eventloop_lag_seconds \d/m);
  });

  it("logs one JSON line per GraphQL request with requestId, userId and protocol", async () => {
    const me = await gqlOk(server.url, `query WhoAmI { me { id } }`, {}, user.token);
    expect(me.me.id).toBe(user.id);
    await server.waitForStdout(/"operation":"WhoAmI"/);

    const logs = server.logLines();
    for (const line of logs) {
      expect(typeof line.level).toBe("number");
      expect(typeof line.time).toBe("number");
      expect(typeof line.msg).toBe("string");
    }
    const requests = logs.filter((l) => l.msg === "graphql request");
    const whoAmI = requests.filter((l) => l.operation === "WhoAmI");
    expect(whoAmI).toHaveLength(1);
    expect(whoAmI[0]).toMatchObject({ userId: user.id, protocol: "graphql", errors: 0 });
    expect(whoAmI[0].requestId).toMatch(UUID);
    // The admin's createUser and the anonymous login are logged as such; every request has its own id.
    expect(requests.map((l) => l.userId)).toEqual(expect.arrayContaining(["admin", "anonymous", user.id]));
    for (const l of requests) expect(l.protocol).toBe("graphql");
    const ids = requests.map((l) => l.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(logs.some((l) => l.msg === "eider started" && l.store === "embedded")).toBe(true);
  });
});

describe("Operations: graceful shutdown of eider serve", () => {
  it("on SIGTERM finishes the upload in flight, refuses new connections, exits 0, and the message survives a restart", async () => {
    const env = { EIDER_ADMIN_TOKEN: ADMIN_TOKEN, EIDER_LOG_LEVEL: "info" };
    const first = await serve({ env });
    const user = await createUser(first.url, "stan");
    const raw = simpleMessage({ subject: "Sent while stopping" });
    const body = JSON.stringify({ query: UPLOAD, variables: { m: user.inbox, r: raw.toString("base64") } });

    // The headers go first; the server's "100 Continue" proves it holds the request, and the body waits.
    const req = http.request(`${first.url}/graphql`, {
      method: "POST",
      agent: false,
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        authorization: `Bearer ${user.token}`,
        expect: "100-continue",
      },
    });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.once("response", (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.once("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.once("error", reject);
      });
      req.once("error", reject);
    });
    req.flushHeaders();
    await once(req, "continue");

    first.child.kill("SIGTERM");
    await first.waitForStdout(/"msg":"shutting down"/);

    // New connections are refused once the listener is closed (one event-loop turn after the signal).
    let refusal: string | undefined;
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      try {
        await fetch(`${first.url}/health`, { signal: AbortSignal.timeout(2_000) });
      } catch (err) {
        const code = ((err as { cause?: { code?: string } }).cause ?? {}).code;
        if (code === "ECONNREFUSED") refusal = code;
      }
      if (refusal === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    expect(refusal).toBe("ECONNREFUSED");
    expect(first.child.exitCode).toBeNull(); // still running: it waits for the request in flight

    req.end(body);
    const res = await answer;
    expect(res.status).toBe(200);
    const uploaded = JSON.parse(res.text) as {
      data?: { uploadMessage: { id: string; uid: number } };
      errors?: unknown;
    };
    expect(uploaded.errors).toBeUndefined();
    expect(uploaded.data!.uploadMessage.uid).toBe(1);

    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.logLines().some((l) => l.msg === "eider stopped")).toBe(true);

    const second = await serve({ dataDir: first.dataDir, env });
    const inbox = await gqlOk(second.url, INBOX_SUBJECTS, { id: user.inbox }, user.token);
    expect(inbox.mailbox.total).toBe(1);
    expect(inbox.mailbox.messages.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { id: uploaded.data!.uploadMessage.id, subject: "Sent while stopping" },
    ]);
    const raw2 = await fetch(`${second.url}/download/${uploaded.data!.uploadMessage.id}/raw`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(Buffer.from(await raw2.arrayBuffer()).equals(raw)).toBe(true);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });
});

describe("Operations: first-start banner", () => {
  it("prints the GraphQL URL and a generated admin token until it is used, and keeps it in data/admin-token (mode 0600)", async () => {
    const env = { EIDER_LOG_LEVEL: "warn" }; // no EIDER_ADMIN_TOKEN: the first start generates one
    const first = await serve({ env });
    await first.waitForStdout(/Create the first user/);
    const banner = first.stdout();
    expect(banner).toContain(`GraphQL API (HTTP and WebSocket): ${first.url}/graphql`);
    const tokenFile = path.join(first.dataDir, "admin-token");
    const match = banner.match(
      /^ {2}Admin token: (\S+)\n {4}\(kept in (.+?); printed at every start until a request uses it/m,
    );
    expect(match, banner).not.toBeNull();
    const token = match![1];
    expect(match![2]).toBe(tokenFile);
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(banner.split(token)).toHaveLength(2); // printed exactly once
    expect(first.stderr()).not.toContain(token);
    expect(readFileSync(tokenFile, "utf8").trim()).toBe(token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    // It is the admin token indeed.
    expect((await gql(first.url, `{ users { id } }`, {}, token)).errors).toBeUndefined();
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await serve({ dataDir: first.dataDir, env });
    await second.waitForStdout(/Create the first user/);
    expect(second.stdout()).toContain(`GraphQL API (HTTP and WebSocket): ${second.url}/graphql`);
    // The first start saw it used, so the second says only where it is.
    expect(second.stdout()).not.toContain(token);
    expect(second.stdout()).toContain(`Admin token: in ${tokenFile} (eider admin-token shows it`);
    expect(readFileSync(tokenFile, "utf8").trim()).toBe(token);
    expect((await gql(second.url, `{ users { id } }`, {}, token)).errors).toBeUndefined();
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });
});
