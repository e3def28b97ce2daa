// Starts real Eider servers for tests: in this process (startEider on port 0) or as a child process
// (`node bin/eider.js serve`, built by `npm run build`), and talks to them over real sockets.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient, type Client } from "graphql-ws";
import { pino } from "pino";
import WebSocket from "ws";
import { loadConfig } from "../../src/config/config.js";
import { startEider, type RunningEider } from "../../src/main.js";
import { freePort } from "./services.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789";
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

export interface TestEider {
  url: string;
  eider: RunningEider;
  stop(): Promise<void>;
}

export interface TestEiderOptions {
  mongodbUrl?: string;
  mongodbDatabase?: string;
  redisUrl?: string;
  redisPrefix?: string;
  maxMessageBytes?: number;
  dataDir?: string;
  /** More `EIDER_*` settings, as an operator would set them (e.g. EIDER_LIMITS_MAX_PAGE_SIZE). */
  env?: Record<string, string>;
  /** spawnEider only: runs `node bin/eider.js serve` under this command (e.g. strace), in its own process group. */
  wrapper?: string[];
}

function envFor(o: TestEiderOptions, port: number, dataDir: string): Record<string, string> {
  const env: Record<string, string> = {
    EIDER_DATA_DIR: dataDir,
    EIDER_ADMIN_TOKEN: ADMIN_TOKEN,
    EIDER_HTTP_PORT: String(port),
    // Any free port: tests run side by side (eider.lmtp says which one).
    EIDER_LMTP_PORT: "0",
    EIDER_POP3_PORT: "0",
    EIDER_POP3_TLS_PORT: "0",
    EIDER_IMAP_PORT: "0",
    EIDER_IMAP_TLS_PORT: "0",
    EIDER_SUBMISSION_PORT: "0",
    EIDER_SUBMISSION_TLS_PORT: "0",
    EIDER_LOG_LEVEL: "warn",
  };
  if (o.mongodbUrl) {
    env.EIDER_STORE_MONGODB_URL = o.mongodbUrl;
    env.EIDER_STORE_MONGODB_DATABASE =
      o.mongodbDatabase ?? `eider_${path.basename(dataDir)}`.replace(/[^a-z0-9_]/gi, "_");
    env.EIDER_STORE_MONGODB_BLOB_DATABASE = `${env.EIDER_STORE_MONGODB_DATABASE}_att`;
  }
  if (o.redisUrl) env.EIDER_BUS_REDIS_URL = o.redisUrl;
  if (o.redisPrefix) env.EIDER_BUS_REDIS_PREFIX = o.redisPrefix;
  if (o.maxMessageBytes) env.EIDER_LIMITS_MAX_MESSAGE_BYTES = String(o.maxMessageBytes);
  return { ...env, ...o.env };
}

/** An Eider in this process, on a free port, with its own data folder. */
export async function startTestEider(o: TestEiderOptions = {}): Promise<TestEider> {
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "eider-test-"));
  const config = loadConfig({ env: envFor(o, 0, dataDir) });
  const eider = await startEider(config, pino({ level: "warn" }));
  return { url: eider.http.url, eider, stop: () => eider.stop() };
}

export interface SpawnedEider {
  url: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
}

/** An Eider as its own process (`node bin/eider.js serve`); resolves when it answers /health. */
export async function spawnEider(o: TestEiderOptions = {}): Promise<SpawnedEider> {
  const dataDir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "eider-proc-"));
  const port = await freePort();
  const argv = [...(o.wrapper ?? []), process.execPath, path.join(REPO, "bin/eider.js"), "serve"];
  const child = spawn(argv[0], argv.slice(1), {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...envFor(o, port, dataDir) },
    stdio: ["ignore", "pipe", "pipe"],
    // A wrapper and eider share a process group, so that stop() reaches eider and not only the wrapper.
    detached: o.wrapper !== undefined,
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`eider exited with ${child.exitCode} before it was ready:\n${output}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 300) throw new Error(`eider did not answer /health within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) {
        if (o.wrapper) process.kill(-child.pid!, "SIGTERM");
        else child.kill("SIGTERM");
      }
      return exited;
    },
  };
}

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One GraphQL request over HTTP. */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/** Like gql, but throws on any error and returns data. */
export async function gqlOk<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await gql<T>(url, query, variables, token);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data!;
}

/** The first error code of a response. */
export function errorCode(res: GraphQLResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

export interface TestUser {
  id: string;
  token: string;
  inbox: string;
  mailboxes: Record<string, string>;
}

/** Creates a user through the admin API, logs it in, and looks up its mailboxes by path. */
export async function createUser(
  url: string,
  username: string,
  addresses: string[] = [],
  quotaBytes = 0,
): Promise<TestUser> {
  const password = `pw-${username}-secret`;
  const created = await gqlOk(
    url,
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username, password, addresses, quotaBytes } },
    ADMIN_TOKEN,
  );
  const login = await gqlOk(
    url,
    `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`,
    { u: username, p: password },
  );
  const boxes = await gqlOk(url, `{ mailboxes { id path } }`, {}, login.login.token);
  const mailboxes = Object.fromEntries(
    boxes.mailboxes.map((b: { id: string; path: string }) => [b.path, b.id]),
  );
  return { id: created.createUser.id, token: login.login.token, inbox: mailboxes.INBOX, mailboxes };
}

export async function upload(
  url: string,
  user: TestUser,
  raw: Buffer,
  mailboxId = user.inbox,
  flags: string[] = [],
) {
  return gql(
    url,
    `mutation($m: ID!, $r: String!, $f: [String!]) { uploadMessage(mailboxId: $m, raw: $r, flags: $f) { id uid modseq size threadId } }`,
    { m: mailboxId, r: raw.toString("base64"), f: flags },
    user.token,
  );
}

export async function downloadRaw(
  url: string,
  messageId: string,
  token: string,
): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(`${url}/download/${messageId}/raw`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** A graphql-ws subscription whose events are collected; `waitFor(n)` resolves when n have arrived. */
export interface Watch<T> {
  events: T[];
  errors: unknown[];
  /** Resolves once the server acknowledged the subscription and registered it on the bus. */
  ready: Promise<void>;
  /** Resolves when the server ends the subscription. */
  completed: Promise<void>;
  waitFor(n: number): Promise<T[]>;
  close(): Promise<void>;
}

export function watch<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
  readyProbe?: () => Promise<boolean>,
): Watch<T> {
  const client: Client = createClient({
    url: url.replace(/^http/, "ws") + "/graphql",
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
  });
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  let complete!: () => void;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) errors.push(...v.errors);
        else events.push(v.data as T);
        notify();
      },
      error: (e) => {
        errors.push(e);
        notify();
      },
      complete: () => {
        complete();
        notify();
      },
    },
  );
  const ready = (async () => {
    if (!readyProbe) return;
    for (let i = 0; i < 200 && !(await readyProbe()); i++) await new Promise((r) => setTimeout(r, 25));
  })();
  return {
    events,
    errors,
    ready,
    completed,
    async waitFor(n) {
      while (events.length < n && errors.length === 0) await new Promise<void>((r) => waiters.push(r));
      if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
      return events.slice(0, n);
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}
