// The IMAP spine over real sockets on a real core (SQLite + blob folder): greeting, CAPABILITY by state,
// LOGIN and AUTHENTICATE, literals, caps, the state gate, half-close, idle timeout, COMPRESS, STARTTLS.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openTestCore, type TestCore } from "../../../test/harness/core.js";
import { ADMIN } from "../../../src/core/index.js";
import { TlsCertificates } from "../../shared/tls.js";
import type { ImapOptions } from "../options.js";
import { DEFAULT_IMAP_LIMITS, type ImapLimits } from "../protocol/limits.js";
import { startImap, type ImapServer } from "../server.js";
import { ImapConnection } from "../session.js";
import { RawImap } from "./raw-imap.js";
import type { ImapResponse } from "./responses.js";

/** A connection that reads whole lines: the greeting, then each command's answer as text. */
class Client {
  private constructor(
    readonly imap: RawImap,
    readonly greeting: string,
  ) {}

  static async connect(port: number, o: { host?: string; tls?: boolean; ca?: Buffer } = {}): Promise<Client> {
    const imap = o.tls ? await RawImap.connectTls(port, o.ca!, o.host) : await RawImap.connect(port, o.host);
    return new Client(imap, (await imap.next()).line);
  }

  get closed(): Promise<void> {
    return this.imap.closed;
  }

  send(data: string | Buffer): void {
    this.imap.send(data);
  }

  async line(): Promise<string> {
    return (await this.imap.next()).line;
  }

  async command(tag: string, text: string): Promise<string[]> {
    return (await this.imap.command(tag, text)).map((r: ImapResponse) => r.line);
  }

  startTls(ca: Buffer): Promise<void> {
    return this.imap.startTls(ca);
  }

  endWrite(): void {
    this.imap.end();
  }

  close(): void {
    this.imap.destroy();
  }
}

const plain = (authzid: string, user: string, password: string) =>
  Buffer.from(`${authzid}\0${user}\0${password}`).toString("base64");

/** A non-loopback address of this machine, if any: a connection from it is not trusted for passwords. */
function externalAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces()))
    for (const a of list ?? []) if (!a.internal && a.family === "IPv4") return a.address;
  return null;
}

describe("IMAP session", () => {
  let t: TestCore;
  let tls: TlsCertificates;
  let ca: Buffer;
  let dataDir: string;
  let alice: string;
  const servers: ImapServer[] = [];

  async function serve(o: { limits?: Partial<ImapLimits> } & Partial<Omit<ImapOptions, "limits">> = {}) {
    const server = await startImap({
      core: t.core,
      host: "127.0.0.1",
      port: 0,
      tlsPort: 0,
      tls,
      trustedNetworks: [],
      hostname: "eider.test",
      ...o,
      limits: { ...DEFAULT_IMAP_LIMITS, ...o.limits },
    });
    servers.push(server);
    return server;
  }

  let server: ImapServer;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "eider-imap-"));
    t = await openTestCore({ loginAttempts: 3 });
    tls = await TlsCertificates.load({ dataDir, hostname: "localhost" });
    ca = readFileSync(path.join(dataDir, "tls", "self-signed.crt"));
    alice = (await t.addUser("alice")).userId;
    await t.addUser("limited");
    server = await serve({ limits: { maxLiteralBytes: 1024, maxAppendBytes: 4096 } });
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("greets with its capabilities; CAPABILITY, NOOP and LOGOUT answer as RFC 3501 says", async () => {
    const c = await Client.connect(server.port);
    expect(c.greeting).toBe(
      "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE STARTTLS AUTH=PLAIN APPENDLIMIT=4096] eider.test Eider IMAP ready",
    );
    expect(await c.command("a1", "CAPABILITY")).toEqual([
      "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE STARTTLS AUTH=PLAIN APPENDLIMIT=4096",
      "a1 OK CAPABILITY completed.",
    ]);
    expect(await c.command("a2", "noop")).toEqual(["a2 OK NOOP completed."]);
    expect(await c.command("a3", "CAPABILITY extra")).toEqual(["a3 BAD CAPABILITY takes no arguments."]);
    expect(await c.command("a4", "LOGOUT")).toEqual(["* BYE Logging out.", "a4 OK LOGOUT completed."]);
    await c.closed;
  });

  it("LOGIN: right password -> OK [CAPABILITY ...] with the logged-in list; wrong -> NO [AUTHENTICATIONFAILED]", async () => {
    const c = await Client.connect(server.port);
    expect(await c.command("a1", 'LOGIN alice "wrong one"')).toEqual([
      "a1 NO [AUTHENTICATIONFAILED] The username or password is wrong.",
    ]);
    expect(await c.command("a2", 'LOGIN alice "a long secret"')).toEqual([
      "a2 OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE UNSELECT UIDPLUS MOVE CONDSTORE QRESYNC NAMESPACE CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE STATUS=SIZE QUOTA QUOTA=RES-STORAGE ESEARCH WITHIN SORT THREAD=REFERENCES THREAD=ORDEREDSUBJECT UTF8=ACCEPT COMPRESS=DEFLATE APPENDLIMIT=4096] Logged in.",
    ]);
    expect(await c.command("a3", 'LOGIN alice "a long secret"')).toEqual([
      "a3 BAD LOGIN is not allowed in the authenticated state.",
    ]);
    c.close();
  });

  it("too many wrong passwords -> NO [UNAVAILABLE] saying when to retry, even with the right one", async () => {
    const c = await Client.connect(server.port);
    for (let i = 0; i < 3; i++)
      expect((await c.command(`a${i}`, "LOGIN limited guess"))[0]).toContain("NO [AUTHENTICATIONFAILED]");
    expect(await c.command("b", 'LOGIN limited "a long secret"')).toEqual([
      expect.stringMatching(
        /^b NO \[UNAVAILABLE\] Too many failed password attempts .*try again in \d+ seconds\.$/,
      ),
    ]);
    c.close();
  });

  it("a disabled account's right password -> NO [CONTACTADMIN]", async () => {
    const { userId } = await t.addUser("gone");
    await t.core.users.update(ADMIN, userId, { disabled: true });
    const c = await Client.connect(server.port);
    expect(await c.command("a1", 'LOGIN gone "a long secret"')).toEqual([
      'a1 NO [CONTACTADMIN] Account "gone" is disabled.',
    ]);
    c.close();
  });

  it("AUTHENTICATE PLAIN with an initial response (SASL-IR) and with a continuation; * cancels with BAD", async () => {
    const c = await Client.connect(server.port);
    expect(await c.command("a1", "AUTHENTICATE PLAIN *")).toEqual(["a1 BAD Authentication cancelled."]);
    c.send("a2 AUTHENTICATE PLAIN\r\n");
    expect(await c.line()).toBe("+ ");
    c.send("*\r\n");
    expect(await c.line()).toBe("a2 BAD Authentication cancelled.");
    c.send("a3 AUTHENTICATE PLAIN\r\n");
    expect(await c.line()).toBe("+ ");
    c.send("not base64!\r\n");
    expect(await c.line()).toBe("a3 BAD The response is not base64.");
    expect(await c.command("a4", `AUTHENTICATE PLAIN ${plain("bob", "alice", "a long secret")}`)).toEqual([
      "a4 NO [AUTHORIZATIONFAILED] Acting as another user is not allowed.",
    ]);
    expect(await c.command("a5", "AUTHENTICATE CRAM-MD5")).toEqual([
      'a5 NO Unsupported mechanism "CRAM-MD5"; this server offers PLAIN.',
    ]);
    c.send("a6 AUTHENTICATE PLAIN\r\n");
    expect(await c.line()).toBe("+ ");
    c.send(`${plain("", "alice", "a long secret")}\r\n`);
    expect(await c.line()).toMatch(/^a6 OK \[CAPABILITY IMAP4rev1 .*COMPRESS=DEFLATE.*\] Logged in\.$/);
    c.close();

    const d = await Client.connect(server.port);
    expect(
      (await d.command("b1", `AUTHENTICATE PLAIN ${plain("alice", "alice", "a long secret")}`))[0],
    ).toMatch(/^b1 OK \[CAPABILITY /);
    d.close();
  });

  it("a synchronising literal gets '+' before its bytes; LITERAL+ does not wait", async () => {
    const c = await Client.connect(server.port);
    c.send("a1 LOGIN {5}\r\n");
    expect(await c.line()).toBe("+ Ready for literal");
    c.send("alice {13}\r\n");
    expect(await c.line()).toBe("+ Ready for literal");
    c.send("a long secret\r\n");
    expect(await c.line()).toMatch(/^a1 OK \[CAPABILITY /);
    c.close();

    const d = await Client.connect(server.port);
    d.send("b1 LOGIN {5+}\r\nalice {13+}\r\na long secret\r\nb2 NOOP\r\n");
    expect(await d.line()).toMatch(/^b1 OK \[CAPABILITY /);
    expect(await d.line()).toBe("b2 OK NOOP completed.");
    d.close();
  });

  it("over-cap literals are refused: a synchronising one at once, without '+'; a LITERAL+ one after its bytes are dropped", async () => {
    const c = await Client.connect(server.port);
    c.send("a1 LOGIN {2000}\r\n");
    expect(await c.line()).toBe("a1 BAD Literal of 2000 octets is too large (at most 1024).");
    c.send("a2 APPEND INBOX {5000}\r\n");
    expect(await c.line()).toBe("a2 NO [TOOBIG] The message is 5000 octets; this server takes at most 4096.");
    // 8 MB the server must read and drop (1 KB cap): the answer comes once they are consumed, then work goes on.
    const size = 8 * 1024 * 1024;
    c.send(`a3 LOGIN {${size}+}\r\n`);
    for (let sent = 0; sent < size; sent += 1024 * 1024) c.send(Buffer.alloc(1024 * 1024, 0x61));
    c.send(" {3+}\r\nabc\r\n");
    expect(await c.line()).toBe(`a3 BAD Literal of ${size} octets is too large (at most 1024).`);
    expect(await c.command("a4", "NOOP")).toEqual(["a4 OK NOOP completed."]);
    c.close();
  });

  it("a 1 GB LITERAL+ announcement followed by a little data and a close holds nothing: the session ends", async () => {
    const own = await serve();
    const c = await Client.connect(own.port);
    expect(own.sessions()).toBe(1);
    c.send(`a1 APPEND INBOX {1073741824+}\r\n${"x".repeat(100_000)}`);
    c.endWrite();
    await c.closed;
    await vi.waitFor(() => expect(own.sessions()).toBe(0));
  });

  it("a 512 MB LITERAL+ past the cap is read and dropped: the server's memory does not grow by its size", async () => {
    const size = 512 * 1024 * 1024;
    const c = await Client.connect(server.port);
    const before = process.memoryUsage().rss;
    let peak = before;
    c.send(`a1 LOGIN {${size}+}\r\n`);
    const block = Buffer.alloc(1024 * 1024, 0x61);
    const socket = c.imap.socket;
    for (let sent = 0; sent < size; sent += block.length) {
      if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    c.send(" x\r\n");
    expect(await c.line()).toBe(`a1 BAD Literal of ${size} octets is too large (at most 1024).`);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(peak - before).toBeLessThan(size / 4);
    c.close();
  });

  it("a line over maxLineBytes -> BAD, and the session goes on", async () => {
    const small = await serve({ limits: { maxLineBytes: 100 } });
    const c = await Client.connect(small.port);
    expect(await c.command("a1", `LOGIN ${"x".repeat(200)} y`)).toEqual([
      "a1 BAD Command line too long (at most 100 octets).",
    ]);
    expect(await c.command("a2", "NOOP")).toEqual(["a2 OK NOOP completed."]);
    c.close();
  });

  it("bad syntax, unknown commands and the wrong state get BAD; too many end the session with BYE", async () => {
    const strict = await serve({ limits: { maxBadCommands: 6 } });
    const c = await Client.connect(strict.port);
    c.send("a+1 NOOP\r\n");
    expect(await c.line()).toBe(
      '* BAD The line starts with tag "a+1"; a tag is letters, digits or punctuation other than ( ) { % * " \\ +.',
    );
    expect(await c.command("a2", "FROB")).toEqual(['a2 BAD Unknown command "FROB".']);
    expect(await c.command("a3", "COMPRESS DEFLATE")).toEqual([
      "a3 BAD COMPRESS is not allowed in the not-authenticated state.",
    ]);
    expect(await c.command("a4", 'LOGIN "unclosed')).toEqual(["a4 BAD A quoted string is not closed."]);
    c.send("a5 LOGIN (a\r\n");
    expect(await c.line()).toBe("a5 BAD Unbalanced parentheses: a list is not closed.");
    expect(await c.command("a6", "NOOP")).toEqual(["a6 OK NOOP completed."]);
    c.send("a7 NOOP\0\r\n");
    expect(await c.line()).toBe('a7 BAD Unexpected character "\\x00" in the command name.');
    expect(await c.line()).toBe("* BYE Too many bad commands.");
    await c.closed;
  });

  it("a client that half-closes ends its session at once and gives back its per-user slot", async () => {
    const one = await serve({ limits: { maxConnectionsPerUser: 1 } });
    const c = await Client.connect(one.port);
    expect((await c.command("a1", 'LOGIN alice "a long secret"'))[0]).toMatch(/^a1 OK/);
    expect(one.userSessions(alice)).toBe(1);
    const d = await Client.connect(one.port);
    expect(await d.command("b1", 'LOGIN alice "a long secret"')).toEqual([
      'b1 NO [LIMIT] Too many open connections for "alice" (at most 1); close one and try again.',
    ]);
    c.endWrite();
    await vi.waitFor(() => expect(one.userSessions(alice)).toBe(0));
    expect((await d.command("b2", 'LOGIN alice "a long secret"'))[0]).toMatch(/^b2 OK/);
    d.close();
    await vi.waitFor(() => expect(one.sessions()).toBe(0));
  });

  it("one connection past max_connections gets * BYE [UNAVAILABLE]", async () => {
    const capped = await serve({ limits: { maxConnections: 1 } });
    const c = await Client.connect(capped.port);
    const d = await Client.connect(capped.port);
    expect(d.greeting).toBe("* BYE [UNAVAILABLE] Too many connections; try again later.");
    await d.closed;
    c.close();
  });

  it("a session with no command running is logged out after the idle timeout", async () => {
    const quick = await serve({ limits: { idleTimeoutMs: 50 } });
    const c = await Client.connect(quick.port);
    expect(await c.line()).toBe("* BYE Autologout; idle for too long.");
    await c.closed;
    expect(quick.sessions()).toBe(0);
  });

  it("the server's close says BYE to every session", async () => {
    const closing = await serve();
    const c = await Client.connect(closing.port);
    await closing.close();
    expect(await c.line()).toBe("* BYE Server shutting down.");
    await c.closed;
  });

  it("the server's close ends a session in IDLE too, and each command leaves one debug log line", async () => {
    const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
    const closing = await serve({ log: (level, fields, message) => lines.push({ level, fields, message }) });
    const c = await Client.connect(closing.port);
    await c.command("a1", 'LOGIN alice "a long secret"');
    c.send("a2 IDLE\r\n");
    expect(await c.line()).toBe("+ idling");
    const closed = closing.close();
    expect(await c.line()).toBe("* BYE Server shutting down.");
    await c.closed;
    await closed;
    expect(lines.find((l) => l.fields.command === "LOGIN")).toEqual({
      level: "debug",
      fields: {
        session: expect.any(String),
        user: "alice",
        command: "LOGIN",
        status: "OK",
        ms: expect.any(Number),
      },
      message: "imap command",
    });
  });

  it("continuation() after the client has gone resolves with null at once (a handler cannot hang on it)", async () => {
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const accepted = new Promise<net.Socket>((resolve) => listener.once("connection", resolve));
    const client = net.connect((listener.address() as net.AddressInfo).port, "127.0.0.1");
    const socket = await accepted;
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const session = new ImapConnection(
      socket,
      {
        core: t.core,
        host: "127.0.0.1",
        port: 0,
        tlsPort: null,
        trustedNetworks: [],
        hostname: "eider.test",
        limits: DEFAULT_IMAP_LIMITS,
      },
      { trusted: true, claimUser: () => true, releaseUser: () => {}, onClose: closed },
    );
    session.start();
    const socketClosed = new Promise((resolve) => socket.once("close", resolve));
    client.destroy();
    await gone;
    await socketClosed;
    expect(await session.continuation("anyone there?")).toBeNull();
    listener.close();
  });

  it("ID answers Eider's name and version; ENABLE lists only what it newly turned on", async () => {
    const c = await Client.connect(server.port);
    const id = await c.command("a1", 'ID ("name" "test" "version" NIL)');
    expect(id[0]).toMatch(/^\* ID \("name" "Eider" "version" "\d+\.\d+\.\d+" "vendor" "Eider"\)$/);
    expect(id[1]).toBe("a1 OK ID completed.");
    expect(await c.command("a2", 'ID ("name")')).toEqual([
      "a2 BAD ID takes up to 30 field-value pairs; got 1 items.",
    ]);
    expect(await c.command("a3", "ENABLE CONDSTORE")).toEqual([
      "a3 BAD ENABLE is not allowed in the not-authenticated state.",
    ]);
    await c.command("a4", 'LOGIN alice "a long secret"');
    // Only what CAPABILITY lists can be enabled.
    expect(await c.command("a5", "ENABLE X-UNKNOWN")).toEqual(["* ENABLED", "a5 OK ENABLE completed."]);
    // QRESYNC turns CONDSTORE on too (RFC 7162 §3.2.3), so a later ENABLE CONDSTORE enables nothing new.
    expect(await c.command("a6", "ENABLE QRESYNC")).toEqual(["* ENABLED QRESYNC", "a6 OK ENABLE completed."]);
    expect(await c.command("a7", "ENABLE CONDSTORE QRESYNC")).toEqual([
      "* ENABLED",
      "a7 OK ENABLE completed.",
    ]);
    expect(await c.command("a8", "ENABLE")).toEqual(["a8 BAD ENABLE takes one or more capability names."]);
    c.close();
  });

  it("COMPRESS DEFLATE: answers after OK are deflated, commands are inflated; a second COMPRESS -> NO [COMPRESSIONACTIVE]", async () => {
    const c = await Client.connect(server.port);
    await c.command("a1", 'LOGIN alice "a long secret"');
    expect(await c.command("a2", "COMPRESS DEFLATE")).toEqual(["a2 OK DEFLATE active."]);
    // Each command is its own sync-flushed block; the server's answers arrive flushed too.
    const { createDeflateRaw, createInflateRaw, constants } = await import("node:zlib");
    const out = createDeflateRaw();
    const inflate = createInflateRaw();
    const socket = c.imap.socket;
    socket.removeAllListeners("data");
    let text = "";
    const waiters: Array<() => void> = [];
    socket.on("data", (d: Buffer) => inflate.write(d));
    inflate.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      waiters.splice(0).forEach((w) => w());
    });
    out.on("data", (d: Buffer) => socket.write(d));
    const send = (line: string) => {
      out.write(line);
      out.flush(constants.Z_SYNC_FLUSH);
    };
    const until = async (tagged: string) => {
      while (!text.includes(`${tagged}\r\n`)) await new Promise<void>((r) => waiters.push(r));
      return text;
    };
    send("a3 NOOP\r\n");
    expect(await until("a3 OK NOOP completed.")).toBe("a3 OK NOOP completed.\r\n");
    send("a4 COMPRESS DEFLATE\r\n");
    expect(await until("a4 NO [COMPRESSIONACTIVE] DEFLATE is already active.")).toContain(
      "a4 NO [COMPRESSIONACTIVE]",
    );
    c.close();
  });

  it("imapflow logs in with COMPRESS=DEFLATE on and keeps talking through it", async () => {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: server.port,
      secure: false,
      auth: { user: "alice", pass: "a long secret" },
      logger: false,
      doSTARTTLS: false,
    });
    await client.connect();
    expect((client as unknown as { _deflate: unknown })._deflate).toBeTruthy();
    await client.noop();
    await client.logout();
  });

  it("STARTTLS: capabilities change with TLS; a second STARTTLS is refused; implicit TLS greets too", async () => {
    const external = externalAddress();
    const open = await serve({ host: external ?? "127.0.0.1" });
    const c = await Client.connect(open.port, { host: external ?? "127.0.0.1" });
    if (external) {
      // From a network that is not trusted, no password goes over cleartext.
      expect(c.greeting).toBe(
        "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE STARTTLS LOGINDISABLED APPENDLIMIT=52428800] eider.test Eider IMAP ready",
      );
      expect(await c.command("a0", 'LOGIN alice "a long secret"')).toEqual([
        "a0 NO [PRIVACYREQUIRED] Passwords are not accepted on a cleartext connection; use STARTTLS (or port 1993) first.",
      ]);
      expect(await c.command("a00", `AUTHENTICATE PLAIN ${plain("", "alice", "a long secret")}`)).toEqual([
        "a00 NO [PRIVACYREQUIRED] Passwords are not accepted on a cleartext connection; use STARTTLS (or port 1993) first.",
      ]);
    }
    expect(await c.command("a1", "STARTTLS")).toEqual(["a1 OK Begin TLS negotiation now."]);
    await c.startTls(ca);
    expect(await c.command("a2", "CAPABILITY")).toEqual([
      "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE AUTH=PLAIN APPENDLIMIT=52428800",
      "a2 OK CAPABILITY completed.",
    ]);
    expect(await c.command("a3", "STARTTLS")).toEqual(["a3 BAD TLS is already active."]);
    expect((await c.command("a4", 'LOGIN alice "a long secret"'))[0]).toMatch(/^a4 OK \[CAPABILITY /);
    c.close();

    const s = await Client.connect(open.tlsPort!, { host: external ?? "127.0.0.1", tls: true, ca });
    expect(s.greeting).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE AUTH=PLAIN /);
    s.close();
  });

  it("Python's imaplib logs in and out", async () => {
    const { execFile } = await import("node:child_process");
    const script = `
import imaplib, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
typ, data = c.login("alice", "a long secret")
print(typ, data[0].decode())
typ, data = c.noop()
print(typ)
typ, data = c.logout()
print(typ, data[0].decode())
`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile("python3", ["-c", script, String(server.port)], { timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    expect(out.split("\n")).toEqual([
      "OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE UNSELECT UIDPLUS MOVE CONDSTORE QRESYNC NAMESPACE CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE STATUS=SIZE QUOTA QUOTA=RES-STORAGE ESEARCH WITHIN SORT THREAD=REFERENCES THREAD=ORDEREDSUBJECT UTF8=ACCEPT COMPRESS=DEFLATE APPENDLIMIT=4096] Logged in.",
      "OK",
      "BYE Logging out.",
      "",
    ]);
  });
});
