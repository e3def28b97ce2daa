// The LMTP sidecar against clients that misbehave: one that vanishes or half-closes mid-DATA stores nothing and
// leaves no session behind; any bytes in a command name get 500 5.5.2; a flood of broken sessions (more than
// max_connections in all) runs beside real deliveries that must all succeed. Sessions are counted by the
// server itself (lmtp.sessions()), and the test waits for that count, never for a duration.
import net from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, startTestEider, type TestEider } from "../../../test/harness/eider.js";
import { holdings } from "../../../test/harness/mailbox.js";
import { pythonLmtp, RawLmtp } from "./clients.js";

const PASSWORD = (name: string) => `pw-${name}-secret`;
const OPENING = "LHLO mx.client.test\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<{rcpt}>\r\nDATA\r\n";

describe("LMTP sidecar against clients that misbehave", () => {
  let t: TestEider;
  let port: number;
  const sessions = () => t.eider.lmtp!.sessions();

  beforeAll(async () => {
    t = await startTestEider();
    port = t.eider.lmtp!.port;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A user's INBOX size and quota usage, after every session has ended. */
  const settled = async (name: string) => {
    await expect.poll(sessions).toBe(0);
    const h = await holdings(t.url, name, PASSWORD(name));
    return { inbox: h.boxes.INBOX.length, storageUsed: h.storageUsed };
  };

  it("stores nothing for a client that disconnects mid-DATA, and holds no session after it", async () => {
    await createUser(t.url, "dana", ["dana@example.com"]);
    const c = await RawLmtp.connect(port);
    const replies = await c.send(OPENING.replace("{rcpt}", "dana@example.com"), 4);
    expect(replies.map((r) => r.slice(0, 3))).toEqual(["250", "250", "250", "354"]);
    await c.write("Subject: cut short\r\n\r\nthe first half of a message that never ends\r\n");
    expect(sessions()).toBe(1);
    c.destroy();
    await c.closed;
    expect(await settled("dana")).toEqual({ inbox: 0, storageUsed: 0 });
    // The server still delivers to the same user; exactly that one message is there.
    const r = await pythonLmtp(port, {
      from: "s@remote.test",
      rcpts: ["dana@example.com"],
      data: Buffer.from("Subject: whole\r\n\r\nall of it\r\n"),
    });
    expect(r.data.map(([code]) => code)).toEqual([250]);
    expect((await settled("dana")).inbox).toBe(1);
  });

  it("ends the session at once when the client half-closes, mid-command or mid-DATA, and stores nothing", async () => {
    await createUser(t.url, "eli", ["eli@example.com"]);
    const idle = await RawLmtp.connect(port);
    await idle.write("NOOP"); // half a command line
    idle.end();
    await idle.closed;

    const inData = await RawLmtp.connect(port);
    await inData.send(OPENING.replace("{rcpt}", "eli@example.com"), 4);
    await inData.write("Subject: half\r\n\r\nno end of data follows\r\n");
    inData.end(); // shutdown(SHUT_WR): the server reads EOF
    await inData.closed;
    expect(await settled("eli")).toEqual({ inbox: 0, storageUsed: 0 });
  });

  it("answers 500 5.5.2 for any bytes in a command name and keeps serving", async () => {
    const names = [
      Buffer.from("NO\x00OP"),
      Buffer.from("\x00"),
      Buffer.from("MAIL:FROM:<s@remote.test>"),
      Buffer.from(":"),
      Buffer.from([0x4e, 0xff, 0xfe, 0x80, 0x4f]),
      Buffer.from("NÖÖP"),
      Buffer.from("\x1b[2J\x07"),
      Buffer.from("X".repeat(4000)),
    ];
    const c = await RawLmtp.connect(port);
    await c.send("LHLO mx.client.test\r\n");
    // Nine at most: smtp-server closes a session after ten unrecognised commands (421).
    for (const name of names) {
      await c.write(Buffer.concat([name, Buffer.from("\r\n")]));
      expect((await c.read(1))[0], `command name ${JSON.stringify(name.toString("latin1"))}`).toMatch(
        /^500 5\.5\.2 /,
      );
    }
    expect((await c.send("NOOP\r\n"))[0]).toMatch(/^250 /);
    expect((await c.send("QUIT\r\n"))[0]).toMatch(/^221 /);
    await c.closed;
  });

  it("answers bad bytes and unknown parameters in MAIL FROM and RCPT TO with a 5xx and keeps the session", async () => {
    await createUser(t.url, "hugo", ["hugo@example.com"]);
    const c = await RawLmtp.connect(port);
    await c.send("LHLO mx.client.test\r\n");
    const mail: Array<[Buffer | string, RegExp]> = [
      ["MAIL FROM:<a@b.test> X\x00Y=1", /^555 5\.5\.4 /],
      ["MAIL FROM:<a@b.test> RET=FULL", /^555 5\.5\.4 /], // DSN is not announced
      ["MAIL FROM:<a@b.test>\rX", /^555 5\.5\.4 /],
      [
        Buffer.from([...Buffer.from("MAIL FROM:<"), 0xff, 0xfe, ...Buffer.from("@b.test> SMTPUTF8")]),
        /^501 5\.1\.7 /,
      ],
      ["MAIL FROM:<jörg@b.test>", /^553 5\.6\.7 /],
      ["MAIL FROM:<a\x00b@b.test>", /^501 /],
      ["MAIL FROM:<a@b.test> SIZE=-1", /^501 /],
    ];
    for (const [line, reply] of mail) {
      await c.write(Buffer.concat([Buffer.from(line), Buffer.from("\r\n")]));
      expect((await c.read(1))[0], JSON.stringify(line.toString())).toMatch(reply);
    }
    expect((await c.send("MAIL FROM:<a@b.test>\r\n"))[0]).toMatch(/^250 /);
    const rcpt: Array<[string, RegExp]> = [
      ["RCPT TO:<hugo@example.com> NOTIFY=NEVER", /^555 5\.5\.4 /],
      ["RCPT TO:<hügo@example.com>", /^553 5\.6\.7 /],
      ["RCPT TO:<hu\x00go@example.com>", /^501 /],
    ];
    for (const [line, reply] of rcpt)
      expect((await c.send(`${line}\r\n`))[0], JSON.stringify(line)).toMatch(reply);
    expect((await c.send("RCPT TO:<hugo@example.com>\r\nDATA\r\n", 2)).map((r) => r.slice(0, 4))).toEqual([
      "250 ",
      "354 ",
    ]);
    expect((await c.send("Subject: after all that\r\n\r\nfine\r\n.\r\n"))[0]).toMatch(/^250 /);
    expect((await c.send("QUIT\r\n"))[0]).toMatch(/^221 /);
    await c.closed;
    await expect.poll(sessions).toBe(0);
    const { boxes } = await holdings(t.url, "hugo", PASSWORD("hugo"));
    expect(boxes.INBOX).toHaveLength(1);
    // The refused MAIL FROM ... SMTPUTF8 above left nothing behind: this transaction is plain LMTP.
    expect(boxes.INBOX[0].toString()).toMatch(/\r\n\tby \S+ with LMTP id /);
  });

  it("answers a command line over the length limit with 500 5.5.2 and closes (the line's end is lost)", async () => {
    const c = await RawLmtp.connect(port);
    await c.send("LHLO mx.client.test\r\n");
    await c.write(`RCPT TO:<${"a".repeat(64 * 1024)}@example.com>\r\n`);
    expect(await c.read(1)).toEqual([expect.stringMatching(/^500 5\.5\.2 /)]);
    await c.closed;
    await expect.poll(sessions).toBe(0);
  });

  it("keeps delivering while hundreds of broken sessions come and go, and holds none of them after", async () => {
    await createUser(t.url, "fern", ["fern@example.com"]);
    const broken: Array<() => Promise<void>> = [
      // garbage, then end
      () => session((s) => s.end(randomBytes(300))),
      // half a command, then vanish
      () => session((s) => s.write("MAIL FROM:<s@remote.te", () => s.destroy())),
      // connect and vanish at once
      () => session((s) => s.destroy()),
      // mid-DATA, then vanish: these must store nothing
      () =>
        session((s) =>
          s.write(OPENING.replace("{rcpt}", "fern@example.com") + "Subject: torn\r\n\r\nhalf\r\n", () =>
            s.destroy(),
          ),
        ),
      // a flood of pipelined nonsense commands, then half-close
      () => session((s) => s.end("\x00\r\n:\r\nHELO x\r\n".repeat(20))),
      // CR-less garbage longer than the line limit
      () => session((s) => s.end(Buffer.alloc(20_000, 0x41))),
    ];
    // 600 broken sessions, 30 at a time: six times max_connections (100), so held sessions would lock it out.
    const flood = Promise.all(
      Array.from({ length: 30 }, async (_, worker) => {
        for (let i = 0; i < 20; i++) await broken[(worker + i) % broken.length]();
      }),
    );
    const delivered: Buffer[] = [];
    const real = (async () => {
      for (let i = 0; i < 8; i++) {
        const data = Buffer.from(`Subject: real ${i}\r\n\r\nDelivered during the flood.\r\n`);
        const r = await pythonLmtp(port, { from: "s@remote.test", rcpts: ["fern@example.com"], data });
        expect(r.data.map(([code]) => code)).toEqual([250]);
        delivered.push(data);
      }
    })();
    await Promise.all([flood, real]);
    await expect.poll(sessions).toBe(0);
    const h = await holdings(t.url, "fern", PASSWORD("fern"));
    expect(h.boxes.INBOX).toHaveLength(delivered.length);
    for (const data of delivered)
      expect(h.boxes.INBOX.some((m) => m.subarray(m.length - data.length).equals(data))).toBe(true);
    expect(h.storageUsed).toBe(h.boxes.INBOX.reduce((sum, m) => sum + m.length, 0));
  });

  /** One raw connection: `act` once connected; resolves when the socket has closed (whoever closed it). */
  function session(act: (s: net.Socket) => void): Promise<void> {
    return new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.on("error", () => {}); // resets are expected: the server may close first
      s.on("data", () => {});
      s.once("connect", () => act(s));
      s.once("close", () => resolve());
    });
  }
});
