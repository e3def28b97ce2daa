// A runner process killed with SIGKILL in the middle of a send: its lease runs out, a runner of another
// process claims the entry and sends it, and it ends sent (the remote server saw it at least once).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryBus } from "../../src/bus/index.js";
import { ADMIN, createCore, type Core } from "../../src/core/index.js";
import { smarthost } from "../../src/outbound/smarthost.js";
import { openEmbeddedStore } from "../../src/storage/embedded/index.js";
import type { Store } from "../../src/storage/ports.js";
import { TEST_CORE_OPTIONS } from "../harness/core-options.js";
import { ManualClock } from "../harness/manual-clock.js";
import { SmtpSink } from "../harness/smtp-sink.js";

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const RAW = Buffer.from("From: alice@eider.test\r\nTo: bob@remote.test\r\nSubject: Once\r\n\r\nHello\r\n");
const LEASE_MS = 15 * 60_000;

describe("Outbox: a runner killed mid-send", () => {
  const sink = new SmtpSink({ starttls: false });
  let store: Store | null = null;
  let core: Core | null = null;
  afterAll(async () => {
    await core?.outbox.stop();
    await store?.close();
    await sink.close();
  });

  it("is replaced once its lease runs out: the other process sends the entry and it ends sent", async () => {
    const relay = `smtp://127.0.0.1:${await sink.listen()}`;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-outbox-kill-"));
    store = await openEmbeddedStore({ dataDir });
    // This process's clock starts now; it is moved past the dead runner's lease below.
    const clock = new ManualClock(new Date());
    core = createCore(store, new MemoryBus(), {
      ...TEST_CORE_OPTIONS,
      outbox: {
        transport: smarthost(relay, { name: "survivor.eider.test" }),
        hostname: "survivor.eider.test",
        clock,
      },
    });
    const user = await core.users.create(ADMIN, {
      username: "alice",
      password: "a long secret",
      addresses: [],
    });
    const entry = await core.outbox.enqueue({
      userId: user.id,
      mailFrom: "alice@eider.test",
      recipients: [{ address: "bob@remote.test" }],
      raw: RAW,
      subject: "Once",
      messageIdHeader: null,
    });

    // The first server reply never comes: the other process is mid-send when it dies.
    sink.beforeReply = () => new Promise<void>(() => {});
    // tsx as a loader of this very process (not its CLI, which runs the script in a child of its own).
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/outbox/fixtures/outbox-runner.ts", dataDir, relay],
      { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = once(child, "exit");
    await Promise.race([
      sink.waitForData(1),
      exited.then(([code]) => Promise.reject(new Error(`The runner process exited early (${code}).`))),
    ]);
    const leased = await store.outbox.get(entry.id);
    expect(leased).toMatchObject({ claim: 1, state: "queued" });
    expect(leased!.leaseOwner).toMatch(new RegExp(`^${child.pid}-`));
    child.kill("SIGKILL");
    expect((await exited)[1]).toBe("SIGKILL");

    // Before the lease ends nobody may take it; after, this process does.
    sink.beforeReply = () => {};
    core.outbox.start();
    while (clock.pending().length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending()).toEqual([leased!.leaseUntil]); // it looked, and waits for the lease's end
    expect((await store.outbox.get(entry.id))!.claim).toBe(1);
    clock.advance(LEASE_MS + 60_000);
    const [got] = await sink.waitForMessages(1);
    expect(got.raw.equals(RAW)).toBe(true);
    expect(got.clientName).toBe("survivor.eider.test");
    let done = await core.outbox.get(ADMIN, entry.id);
    while (done.state !== "sent") {
      await new Promise((resolve) => setImmediate(resolve));
      done = await core.outbox.get(ADMIN, entry.id);
    }
    expect(done.recipients[0]).toMatchObject({ state: "sent", attempts: 1 });
    expect((await store.outbox.get(entry.id))!.claim).toBe(2);
    expect(sink.dataSeen).toBe(2); // at least once: the dead runner's copy reached the server, unanswered
  });
});
