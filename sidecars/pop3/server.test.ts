// The POP3 sidecar against Python's poplib and a raw socket, on a real core (SQLite + blob folder).
import { mkdtempSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestCore, type TestCore } from "../../test/harness/core.js";
import type { Principal } from "../../src/core/index.js";
import { TlsCertificates } from "../shared/tls.js";
import { DEFAULT_POP3_LIMITS } from "./protocol/limits.js";
import { startPop3, type Pop3Server } from "./server.js";
import type { Pop3Options } from "./options.js";
import { poplib, RawPop3, type PoplibTarget } from "./test/poplib.js";

const crlf = (lines: string[]) => Buffer.from(lines.join("\r\n"));
const ATTACHMENT = randomBytes(9000).toString("base64").replace(/.{76}/g, "$&\r\n");
const MESSAGES = [
  crlf(["From: a@example.net", "Subject: one", "Message-ID: <one@example.net>", "", "Hello.", ""]),
  // Lines starting with "." must come back un-stuffed, including a lone "." that is not the end.
  crlf(["From: b@example.net", "Subject: dots", "", ".leading dot", ".", "..two", "last line", ""]),
  crlf([
    "From: c@example.net",
    "Subject: attachment",
    "Content-Type: multipart/mixed; boundary=b1",
    "",
    "--b1",
    "Content-Type: text/plain",
    "",
    "Body line 1",
    "Body line 2",
    "--b1",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    ATTACHMENT,
    "--b1--",
    "",
  ]),
  crlf(["From: d@example.net", "Subject: four", "", "Line 1", "Line 2", "Line 3", ""]),
];

describe("POP3 sidecar", () => {
  let t: TestCore;
  let server: Pop3Server;
  let tls: TlsCertificates;
  let dataDir: string;
  let target: PoplibTarget;
  let bob: Principal;
  let inbox: string;
  const options = (o: Partial<Pop3Options> = {}): Pop3Options => ({
    core: t.core,
    host: "127.0.0.1",
    port: 0,
    tlsPort: 0,
    tls,
    listingSize: 250,
    deleAction: "trash",
    trustedNetworks: [],
    limits: DEFAULT_POP3_LIMITS,
    hostname: "eider.test",
    ...o,
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-pop3-"));
    t = await openTestCore({ loginAttempts: 3 });
    tls = await TlsCertificates.load({ dataDir, hostname: "localhost" });
    server = await startPop3(options());
    target = {
      host: "127.0.0.1",
      port: server.port,
      tlsPort: server.tlsPort,
      cafile: path.join(dataDir, "tls", "self-signed.crt"),
    };
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function freshUser(name: string, messages = MESSAGES): Promise<void> {
    const u = await t.addUser(name);
    bob = { kind: "user", userId: u.userId };
    inbox = u.inboxId;
    for (const raw of messages) await t.core.uidMailboxes.append(bob, inbox, raw);
  }

  it("serves a whole poplib session: STAT, LIST, UIDL, TOP and RETR byte-exact", async () => {
    await freshUser("alice");
    const r = await poplib<{
      welcome: string;
      stat: [number, number];
      list: string[];
      uidl: string[];
      uidl2: string;
      top0: string;
      top1: string;
      retr: string[];
      octets: number[];
      capa: Record<string, string[]>;
    }>(
      target,
      `
      p = poplib.POP3(host, port)
      welcome = p.getwelcome().decode()
      capa = p.capa()
      p.user("alice"); p.pass_("a long secret")
      out = dict(welcome=welcome, capa=capa, stat=p.stat(), list=[l.decode() for l in p.list()[1]],
                 uidl=[l.decode() for l in p.uidl()[1]], uidl2=p.uidl(2).decode(),
                 top0=b64(p.top(4, 0)[1]), top1=b64(p.top(3, 2)[1]), retr=[], octets=[])
      for i in range(1, 5):
          resp, lines, octets = p.retr(i)
          out["retr"].append(b64(lines)); out["octets"].append(octets)
      p.quit()
      print(json.dumps(out))
    `,
    );
    expect(r.welcome).toMatch(/^\+OK eider\.test/);
    expect(Object.keys(r.capa)).toEqual(
      expect.arrayContaining([
        "TOP",
        "UIDL",
        "USER",
        "SASL",
        "STLS",
        "PIPELINING",
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "UTF8",
      ]),
    );
    expect(r.stat).toEqual([4, MESSAGES.reduce((s, m) => s + m.length, 0)]);
    expect(r.list).toEqual(MESSAGES.map((m, i) => `${i + 1} ${m.length}`));
    const box = await t.core.uidMailboxes.open(bob, inbox);
    expect(r.uidl).toEqual(box.messages.map((m, i) => `${i + 1} ${box.uidValidity}-${m.uid}`));
    expect(r.uidl2).toBe(`+OK 2 ${box.uidValidity}-${box.messages[1].uid}`);
    for (let i = 0; i < MESSAGES.length; i++)
      expect(Buffer.from(r.retr[i], "base64").equals(MESSAGES[i])).toBe(true);
    expect(Buffer.from(r.top0, "base64").toString()).toBe("From: d@example.net\r\nSubject: four\r\n\r\n");
    expect(Buffer.from(r.top1, "base64").toString()).toBe(
      "From: c@example.net\r\nSubject: attachment\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n",
    );
  });

  it("DELE + QUIT moves to Trash and RETR marks \\Seen at QUIT; RSET undoes; a dropped session changes nothing; UIDL is stable", async () => {
    await freshUser("bob");
    const before = await t.core.uidMailboxes.open(bob, inbox);
    const r = await poplib<{
      uidl1: string[];
      uidl2: string[];
      uidl3: string[];
      stat: number[];
      bad: string | null;
    }>(
      target,
      `
      p = poplib.POP3(host, port); p.user("bob"); p.pass_("a long secret")
      uidl1 = [l.decode() for l in p.uidl()[1]]
      p.dele(1); p.dele(2); p.rset()
      p.dele(3); p.retr(4)
      bad = err(lambda: p.retr(3))
      stat = list(p.stat())
      p.sock.close()  # vanish without QUIT: nothing is applied
      p = poplib.POP3(host, port); p.user("bob"); p.pass_("a long secret")
      uidl2 = [l.decode() for l in p.uidl()[1]]
      p.dele(1); p.retr(2)
      p.quit()
      p = poplib.POP3(host, port); p.user("bob"); p.pass_("a long secret")
      uidl3 = [l.decode() for l in p.uidl()[1]]
      p.quit()
      print(json.dumps(dict(uidl1=uidl1, uidl2=uidl2, uidl3=uidl3, stat=stat, bad=bad)))
    `,
    );
    expect(r.bad).toBe("-ERR No message 3.");
    expect(r.stat).toEqual([3, MESSAGES.reduce((s, m) => s + m.length, 0) - MESSAGES[2].length]);
    expect(r.uidl2).toEqual(r.uidl1);
    const ids = r.uidl1.map((l) => l.split(" ")[1]);
    expect(r.uidl3).toEqual(ids.slice(1).map((id, i) => `${i + 1} ${id}`));
    const after = await t.core.uidMailboxes.open(bob, inbox);
    expect(after.messages.map((m) => [m.uid, m.flags])).toEqual([
      [before.messages[1].uid, ["\\Seen"]],
      [before.messages[2].uid, []],
      [before.messages[3].uid, []],
    ]);
    const trash = await t.core.uidMailboxes.openByPath(bob, "Trash");
    expect(trash.messages.map((m) => m.id)).toEqual([before.messages[0].id]);
    expect(trash.messages[0].flags).toEqual([]);
  });

  it("lists only the newest N INBOX messages; DELE removes instead of moving when configured", async () => {
    await freshUser("carol");
    const small = await startPop3(options({ listingSize: 2, deleAction: "delete", tlsPort: null }));
    try {
      const r = await poplib<{ list: string[] }>(
        { ...target, port: small.port },
        `
        p = poplib.POP3(host, port); p.user("carol"); p.pass_("a long secret")
        lst = [l.decode() for l in p.list()[1]]
        p.dele(1); p.quit()
        print(json.dumps(dict(list=lst)))
      `,
      );
      expect(r.list).toEqual([`1 ${MESSAGES[2].length}`, `2 ${MESSAGES[3].length}`]);
    } finally {
      await small.close();
    }
    const box = await t.core.uidMailboxes.open(bob, inbox);
    expect(box.messages.length).toBe(3);
    expect((await t.core.uidMailboxes.openByPath(bob, "Trash")).messages).toEqual([]);
  });

  it("STLS and implicit TLS with the generated certificate, verified against it; AUTH PLAIN with an initial response", async () => {
    await freshUser("dave");
    const r = await poplib<{ stls: number[]; implicit: number[]; capa: string[]; auth: string }>(
      target,
      `
      ctx = ssl.create_default_context(cafile=cafile)
      p = poplib.POP3("localhost", port)
      p.stls(context=ctx)
      capa = list(p.capa().keys())
      p.user("dave"); p.pass_("a long secret")
      stls = list(p.stat()); p.quit()
      p = poplib.POP3_SSL("localhost", tls_port, context=ctx)
      auth = p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\\0dave\\0a long secret").decode()).decode()
      implicit = list(p.stat()); p.quit()
      print(json.dumps(dict(stls=stls, implicit=implicit, capa=capa, auth=auth)))
    `,
    );
    expect(r.stls[0]).toBe(4);
    expect(r.implicit[0]).toBe(4);
    expect(r.capa).not.toContain("STLS");
    expect(r.auth).toMatch(/^\+OK Logged in/);
    expect(tls.generated).toBe(true);
  });

  it("answers a wrong password -ERR [AUTH], then [SYS/TEMP] with the time to wait once the core's limit is reached", async () => {
    await freshUser("erin");
    const r = await poplib<string[]>(
      target,
      `
      p = poplib.POP3(host, port)
      out = []
      for i in range(5):
          p.user("erin"); out.append(err(lambda: p.pass_("wrong")))
      p.user("erin"); out.append(err(lambda: p.pass_("a long secret")))
      print(json.dumps(out))
    `,
    );
    expect(r.slice(0, 3)).toEqual(Array(3).fill("-ERR [AUTH] The username or password is wrong."));
    for (const line of r.slice(3))
      expect(line).toMatch(
        /^-ERR \[SYS\/TEMP\] Too many failed password attempts for "erin"; try again in ([1-9]\d*) seconds\.$/,
      );
  });

  it("runs pipelined commands in order, skips an overlong line, refuses commands in the wrong state", async () => {
    await freshUser("fred");
    const c = await RawPop3.connect(server.port);
    try {
      expect((await c.lines(1))[0]).toMatch(/^\+OK/);
      c.send("STAT\r\nRETR 1\r\nUSER fred\r\nPASS a long secret\r\nSTAT\r\nUSER fred\r\nNOOP\r\n");
      expect(await c.lines(7)).toEqual([
        "-ERR STAT is not allowed in the AUTHORIZATION state.",
        "-ERR RETR is not allowed in the AUTHORIZATION state.",
        "+OK Send PASS.",
        expect.stringMatching(/^\+OK Logged in; 4 messages/),
        `+OK 4 ${MESSAGES.reduce((s, m) => s + m.length, 0)}`,
        "-ERR USER is not allowed in the TRANSACTION state.",
        "+OK",
      ]);
      c.send(`NOOP ${"x".repeat(5000)}\r\nLIST 2\r\nRETR 99\r\nTOP 1 x\r\nX:Y\r\n\xff\xfe\r\n`);
      expect(await c.lines(6)).toEqual([
        "-ERR Line too long (at most 2048 octets).",
        `+OK 2 ${MESSAGES[1].length}`,
        "-ERR No message 99.",
        "-ERR Invalid line count x.",
        "-ERR Unknown command.",
        "-ERR Unknown command.",
      ]);
      c.send("RETR 2\r\nQUIT\r\n");
      const retr = await c.lines(9);
      expect(retr[0]).toBe(`+OK ${MESSAGES[1].length} octets`);
      expect(retr.slice(4, 8)).toEqual(["..leading dot", "..", "...two", "last line"]);
      expect(retr[8]).toBe(".");
      expect((await c.lines(1))[0]).toMatch(/^\+OK Bye/);
      await c.closed;
    } finally {
      c.close();
    }
  });

  it("refuses cleartext passwords from an untrusted address with -ERR [AUTH], and accepts them from a trusted network", async () => {
    const address = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    if (!address) return; // no non-loopback address on this machine: nothing to connect from
    await freshUser("gina");
    const open = await startPop3(options({ host: "0.0.0.0", tlsPort: null }));
    const trusting = await startPop3(
      options({ host: "0.0.0.0", tlsPort: null, trustedNetworks: [`${address}/32`] }),
    );
    try {
      const c = await RawPop3.connect(open.port, address);
      await c.lines(1);
      c.send("CAPA\r\n");
      const capa = await c.through(".");
      expect(capa).not.toContain("USER");
      expect(capa).not.toContain("SASL PLAIN");
      expect(capa).toContain("STLS");
      c.send("USER gina\r\nAUTH PLAIN\r\n");
      expect(await c.lines(2)).toEqual(
        Array(2).fill(
          "-ERR [AUTH] Plaintext authentication is not allowed on a cleartext connection; use STLS (or port 1995) first.",
        ),
      );
      c.close();
      const r = await poplib<number[]>(
        { ...target, host: address, port: trusting.port },
        `
        p = poplib.POP3(host, port); p.user("gina"); p.pass_("a long secret")
        print(json.dumps(list(p.stat())))
      `,
      );
      expect(r[0]).toBe(4);
    } finally {
      await open.close();
      await trusting.close();
    }
  });

  it("ends a session whose client has gone and holds nothing after EOF", async () => {
    const c = await RawPop3.connect(server.port);
    await c.lines(1);
    expect(server.sessions()).toBeGreaterThan(0);
    c.socket.end();
    await c.closed;
    await expect.poll(() => server.sessions()).toBe(0);
  });

  it("serves curl pop3:// and pop3s:// (LIST, RETR byte-exact with dot lines, TLS verified against the generated certificate)", async () => {
    await freshUser("hank");
    const curl = (args: string[]) =>
      new Promise<Buffer>((resolve, reject) =>
        execFile(
          "curl",
          ["-sS", "--user", "hank:a long secret", ...args],
          { encoding: "buffer" },
          (e, out, stderr) => (e ? reject(new Error(`${e.message}: ${stderr.toString()}`)) : resolve(out)),
        ),
      );
    expect((await curl([`pop3://127.0.0.1:${server.port}/2`])).equals(MESSAGES[1])).toBe(true);
    const listing = (await curl([`pop3://127.0.0.1:${server.port}/`])).toString();
    expect(listing).toBe(MESSAGES.map((m, i) => `${i + 1} ${m.length}\r\n`).join(""));
    const secure = await curl(["--cacert", target.cafile!, `pop3s://localhost:${server.tlsPort}/3`]);
    expect(secure.equals(MESSAGES[2])).toBe(true);
  });

  it("streams a 4 MB message (a large attachment) byte-exact to a client that reads slowly", async () => {
    const big = Buffer.concat([
      crlf([
        "From: big@example.net",
        "Subject: big",
        "Content-Type: multipart/mixed; boundary=zz",
        "",
        "--zz",
        "Content-Type: application/octet-stream",
        "Content-Transfer-Encoding: base64",
        "",
        "",
      ]),
      Buffer.from(
        randomBytes(3 * 1024 * 1024)
          .toString("base64")
          .replace(/.{76}/g, "$&\r\n"),
      ),
      crlf(["", ".dot line in the epilogue", "--zz--", ""]),
    ]);
    await freshUser("ivan", [big]);
    const r = await poplib<{ sha: string; octets: number }>(
      target,
      `
      import hashlib, time
      p = poplib.POP3(host, port); p.user("ivan"); p.pass_("a long secret")
      p._putcmd("RETR 1")
      time.sleep(0.5)  # let the server fill the socket buffers and wait for drain
      resp, lines, octets = p._getlongresp()
      data = b"".join(l + b"\\r\\n" for l in lines)
      print(json.dumps(dict(sha=hashlib.sha256(data).hexdigest(), octets=len(data))))
    `,
    );
    expect(r.octets).toBe(big.length);
    expect(r.sha).toBe(createHash("sha256").update(big).digest("hex"));
  });

  it("answers -ERR [SYS/TEMP] past the connection cap and closes an idle session", async () => {
    const capped = await startPop3(
      options({ tlsPort: null, limits: { ...DEFAULT_POP3_LIMITS, maxConnections: 1, idleTimeoutMs: 300 } }),
    );
    try {
      const first = await RawPop3.connect(capped.port);
      expect((await first.lines(1))[0]).toMatch(/^\+OK/);
      const second = await RawPop3.connect(capped.port);
      expect(await second.lines(1)).toEqual(["-ERR [SYS/TEMP] Too many connections; try again later."]);
      await second.closed;
      expect(await first.lines(1)).toEqual(["-ERR Idle for too long, closing."]);
      await first.closed;
      await expect.poll(() => capped.sessions()).toBe(0);
    } finally {
      await capped.close();
    }
  });

  it("takes the UTF8 command it advertises (RFC 6856) before login", async () => {
    const c = await RawPop3.connect(server.port);
    await c.lines(1);
    c.send("UTF8\r\nQUIT\r\n");
    expect(await c.lines(2)).toEqual(["+OK UTF-8 mode on.", "+OK Bye."]);
    await c.closed;
  });

  it("writes a small message's RETR answer (status, body, terminator) in one socket write, not three", async () => {
    await freshUser("jane");
    const writes: string[] = [];
    const write = Socket.prototype.write;
    // Separate small writes meet Nagle and delayed ACKs (44 ms per RETR before); watch what the server writes.
    Socket.prototype.write = function (this: Socket, data: unknown, ...rest: unknown[]) {
      if (Buffer.isBuffer(data) || typeof data === "string") writes.push(data.toString());
      return (write as (...a: unknown[]) => boolean).call(this, data, ...rest);
    } as typeof write;
    try {
      const c = await RawPop3.connect(server.port);
      c.send("USER jane\r\nPASS a long secret\r\nRETR 1\r\nQUIT\r\n");
      await c.closed;
    } finally {
      Socket.prototype.write = write;
    }
    const answer = writes.find((w) => w.startsWith(`+OK ${MESSAGES[0].length} octets`));
    expect(answer).toBe(`+OK ${MESSAGES[0].length} octets\r\n${MESSAGES[0].toString()}.\r\n`);
  });
});
