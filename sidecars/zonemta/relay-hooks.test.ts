// The hooks against a stand-in core (a real one, in a real ZoneMTA, is in test/zonemta.test.ts): what each core
// answer becomes on the wire, and what reaches ZoneMTA's queue.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/core/index.js";
import { RelayHooks, type RelayCore } from "./relay-hooks.js";
import type { ZoneMtaEnvelope, ZoneMtaHeaders, ZoneMtaSession } from "./zonemta-api.js";

class Headers implements ZoneMtaHeaders {
  constructor(readonly raw: Buffer) {}
  getList() {
    return [];
  }
  getFirst() {
    return "";
  }
}

type Prepare = RelayCore["submission"]["prepareForRelay"];

function setup(prepare: Prepare, open: () => Promise<void> = async () => {}) {
  const errors: string[] = [];
  const calls: Parameters<Prepare>[] = [];
  const core: RelayCore = {
    auth: {
      checkPassword: async (username, password) => {
        if (username === "alice" && password === "right") return { id: "u1", username: "alice" } as never;
        if (username === "limited")
          throw new DomainError("RATE_LIMITED", "Too many failed password attempts.");
        if (username === "broken") throw new Error("the store is down");
        throw new DomainError("AUTH_FAILED", "The username or password is wrong.");
      },
    },
    submission: {
      prepareForRelay: (...args) => {
        calls.push(args);
        return prepare(...args);
      },
    },
  };
  const hooks = new RelayHooks({
    core: async () => (await open(), core),
    relay: { username: "eider", password: "relay-secret" },
    logError: (message) => errors.push(message),
  });
  return { hooks, errors, calls };
}

const session = (): ZoneMtaSession => ({
  id: "s1",
  remoteAddress: "192.0.2.7",
  hostNameAppearsAs: "pc.example",
});

function envelopeFor(s: ZoneMtaSession, to: string[]): ZoneMtaEnvelope {
  return {
    id: "q1",
    interface: "feeder",
    from: "alice@example.test",
    to,
    origin: s.remoteAddress,
    transhost: s.hostNameAppearsAs,
    headers: new Headers(Buffer.from("From: alice@example.test\r\n")),
  };
}

/** DATA as ZoneMTA runs it: the DATA hook, the analyzer over the client's bytes, then message:queue. */
async function submit(hooks: RelayHooks, s: ZoneMtaSession, env: ZoneMtaEnvelope, raw: Buffer) {
  await hooks.data(env, s);
  const source = new PassThrough();
  const destination = new PassThrough();
  const passed: Buffer[] = [];
  destination.on("data", (c: Buffer) => passed.push(c));
  hooks.analyze(env, source, destination);
  source.end(raw);
  await new Promise((resolve) => destination.once("end", resolve));
  expect(Buffer.concat(passed)).toEqual(raw); // the analyzer never changes what ZoneMTA stores
  return hooks.queue(env);
}

const raw = Buffer.from("From: alice@example.test\r\nSubject: hi\r\n\r\nHello\r\n");
const signed = Buffer.concat([Buffer.from("DKIM-Signature: v=1; b=x\r\n"), raw]);

describe("AUTH", () => {
  it("maps the core's answers: wrong 535 5.7.8, limited 454 4.7.0, an outage 454 4.7.0 and logged", async () => {
    const { hooks, errors } = setup(async () => ({ raw, remoteRecipients: [], local: [], sentCopyId: null }));
    const attempt = (username: string, password: string) =>
      hooks.auth({ username, password, method: "PLAIN" }, session()).then(
        () => "ok",
        (e: Error & { responseCode: number }) => `${e.responseCode} ${e.message}`,
      );
    expect(await attempt("alice", "wrong")).toBe("535 5.7.8 Authentication credentials invalid.");
    expect(await attempt("limited", "x")).toBe("454 4.7.0 Too many failed password attempts.");
    expect(errors).toEqual([]);
    expect(await attempt("broken", "x")).toBe("454 4.7.0 Temporary authentication failure; try again later.");
    expect(errors).toEqual(["the password check failed"]);
  });

  it("answers 454 when the core cannot be opened, except for Eider's own login, which needs no core", async () => {
    const { hooks } = setup(
      async () => ({ raw, remoteRecipients: [], local: [], sentCopyId: null }),
      async () => Promise.reject(new Error("MongoDB is down")),
    );
    const s = session();
    await expect(
      hooks.auth({ username: "alice", password: "right", method: "PLAIN" }, s),
    ).rejects.toMatchObject({
      responseCode: 454,
    });
    expect(s.eider).toBeUndefined();
    await hooks.auth({ username: "eider", password: "relay-secret", method: "PLAIN" }, s);
    expect(s.eider).toEqual({ kind: "eider" });
  });
});

describe("a message", () => {
  it("from a user goes through prepareForRelay with the envelope, the bytes and the client", async () => {
    const { hooks, calls } = setup(async () => ({
      raw: signed,
      remoteRecipients: ["carol@remote.test"],
      local: [],
      sentCopyId: "m1",
    }));
    const s = session();
    await hooks.auth({ username: "alice", password: "right", method: "PLAIN" }, s);
    const env = envelopeFor(s, ["bob@example.test", "carol@remote.test"]);
    await submit(hooks, s, env, raw);
    expect(calls).toEqual([
      [
        { kind: "user", userId: "u1" },
        { mailFrom: "alice@example.test", recipients: ["bob@example.test", "carol@remote.test"], raw },
        { via: "zonemta", clientIp: "192.0.2.7", clientName: "pc.example" },
      ],
    ]);
    expect((env.headers as Headers).raw).toEqual(
      Buffer.from("DKIM-Signature: v=1; b=x\r\n" + "From: alice@example.test\r\nSubject: hi\r\n"),
    );
    expect(env.to).toEqual(["carol@remote.test"]);
  });

  it("for local recipients only is answered 250 without queueing", async () => {
    const { hooks } = setup(async () => ({
      raw: signed,
      remoteRecipients: [],
      local: [{ recipient: "bob@example.test", status: "stored" } as never],
      sentCopyId: "m1",
    }));
    const s = session();
    await hooks.auth({ username: "alice", password: "right", method: "PLAIN" }, s);
    const done = await submit(hooks, s, envelopeFor(s, ["bob@example.test"]), raw).catch((e: Error) => e);
    expect(done).toMatchObject({
      name: "SMTPResponse",
      message: "2.0.0 Ok: delivered to 1 local recipient, nothing to relay",
    });
    expect((done as { responseCode?: number }).responseCode).toBeUndefined();
  });

  it("refused by the core gets the submission reply: a forged From 550 5.7.1, the daily limit 450 4.7.1", async () => {
    for (const [err, reply] of [
      [
        new DomainError("FORBIDDEN", 'The From address "eve@example.test" is not one of yours.'),
        /^550 5\.7\.1 The From/,
      ],
      [
        new DomainError("RATE_LIMITED", "Daily limit reached.", { retryAfterMs: 5000 }),
        /^450 4\.7\.1 Daily limit reached\. Try again in 5 seconds\.$/,
      ],
      [new Error("bug"), /^451 4\.3\.0 /],
    ] as const) {
      const { hooks } = setup(async () => Promise.reject(err));
      const s = session();
      await hooks.auth({ username: "alice", password: "right", method: "PLAIN" }, s);
      const env = envelopeFor(s, ["carol@remote.test"]);
      const refusal = await submit(hooks, s, env, raw).catch((e: Error & { responseCode: number }) => e);
      expect(`${(refusal as { responseCode: number }).responseCode} ${(refusal as Error).message}`).toMatch(
        reply,
      );
      expect(env.to).toEqual(["carol@remote.test"]); // unchanged: ZoneMTA drops the message on the refusal
    }
  });

  it("with a bare LF or undeclared 8-bit is refused 550 before Eider is asked; 8-bit after BODY=8BITMIME is not", async () => {
    const { hooks, calls, errors } = setup(async (_p, message) => ({
      raw: message.raw,
      remoteRecipients: ["carol@remote.test"],
      local: [],
      sentCopyId: null,
    }));
    const refusal = async (bytes: Buffer, args?: Record<string, string>) => {
      const s = { ...session(), envelope: { mailFrom: { address: "alice@example.test", args } } };
      await hooks.auth({ username: "alice", password: "right", method: "PLAIN" }, s);
      return submit(hooks, s, envelopeFor(s, ["carol@remote.test"]), bytes).then(
        () => "queued",
        (e: Error & { responseCode: number }) => `${e.responseCode} ${e.message}`,
      );
    };
    expect(await refusal(Buffer.from("From: alice@example.test\r\n\r\nline\nsmuggled\r\n"))).toBe(
      "550 5.6.0 The message has a bare LF at byte 32; lines must end with CRLF (RFC 5321 section 2.3.8).",
    );
    const eightBit = Buffer.from("From: alice@example.test\r\n\r\nGrüße\r\n");
    expect(await refusal(eightBit)).toMatch(/^550 5\.6\.1 /);
    expect(calls).toEqual([]);
    expect([await refusal(eightBit, { BODY: "8BITMIME" }), ...errors]).toEqual(["queued"]);
    expect(calls).toHaveLength(1);
  });

  it("from Eider's outbox is queued as it came, without the core; one without any login is refused 530", async () => {
    const { hooks, calls } = setup(async () => Promise.reject(new Error("must not be called")));
    const s = session();
    await hooks.auth({ username: "eider", password: "relay-secret", method: "PLAIN" }, s);
    const env = envelopeFor(s, ["carol@remote.test"]);
    await submit(hooks, s, env, raw);
    expect(calls).toEqual([]);
    expect(env.to).toEqual(["carol@remote.test"]);
    const anonymous = session();
    await expect(hooks.data(envelopeFor(anonymous, ["carol@remote.test"]), anonymous)).rejects.toMatchObject({
      responseCode: 530,
      message: "5.7.0 Authentication required.",
    });
  });
});
