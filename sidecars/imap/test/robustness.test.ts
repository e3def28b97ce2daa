// What a broken or hostile client can do to Eider's IMAP sidecar, over real sockets: every byte value in a tag,
// a command name and an argument; literals left unterminated; literal sizes no server can take; clients that
// half-close or vanish, alone and in a flood of 1,100. Each gets a tagged BAD/NO (or BYE and a close), the
// session count goes back to zero at once, and the user can still log in afterwards (no NO [LIMIT]).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImapServer } from "../server.js";
import { loggedIn, RawImap } from "./raw-imap.js";
import type { ImapResponse } from "./responses.js";
import { PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

const PER_USER = 10;
let s: ImapTestServer;
let server: ImapServer;
beforeAll(async () => {
  s = await startImapTestServer(["rae"], { EIDER_IMAP_MAX_CONNECTIONS_PER_USER: String(PER_USER) });
  server = s.t.eider.imap!.server;
}, 180_000);
afterAll(() => s?.stop());

/** Waits until the server holds no session (each closed socket is noticed by an event, not a timer). */
const noSessions = () => expect.poll(() => server.sessions(), { timeout: 10_000, interval: 20 }).toBe(0);

/** Sends one line, then `z NOOP`, and returns what came before z's answer; the session must be alive. */
async function answersTo(imap: RawImap, line: Buffer): Promise<ImapResponse[]> {
  imap.send(Buffer.concat([line, Buffer.from("\r\nz NOOP\r\n")]));
  const out = await imap.until("z");
  expect(out.pop()!.status).toBe("OK");
  return out;
}

const TAGGED_OR_UNTAGGED_BAD = (r: ImapResponse, tag: string) =>
  (r.tag === tag && ["OK", "NO", "BAD"].includes(r.status ?? "")) || (r.tag === "*" && r.status === "BAD");

describe("IMAP robustness", () => {
  it("every byte 0x00-0xFF in a tag, a command name and an argument gets an answer, and the session goes on", async () => {
    for (let b = 0; b < 256; b++) {
      if (b === 0x0a || b === 0x0d) continue; // line ends: sent below as lines of their own
      const { imap } = await RawImap.open(s.imapPort);
      const byte = Buffer.from([b]);
      const tag = Buffer.concat([Buffer.from("t"), byte, Buffer.from("g")]);
      const inTag = await answersTo(imap, Buffer.concat([tag, Buffer.from(" NOOP")]));
      expect(inTag.length, `byte ${b} in a tag`).toBe(1);
      // The tag is what comes before the first space (0x20 makes "t" the tag and "g" the command).
      const sentTag = tag.toString("latin1").split(" ")[0];
      expect(TAGGED_OR_UNTAGGED_BAD(inTag[0], sentTag), inTag[0].line).toBe(true);

      const inName = await answersTo(imap, Buffer.concat([Buffer.from("c NO"), byte, Buffer.from("OP")]));
      expect(
        inName.map((r) => [r.tag, r.status]),
        `byte ${b} in a command name`,
      ).toEqual([["c", "BAD"]]);

      for (const [before, after] of [
        ['i ID ("name" "x', '")'],
        ["i ID (", ")"],
        ["l LOGIN r", "e"],
      ]) {
        const inArgument = await answersTo(
          imap,
          Buffer.concat([Buffer.from(before), byte, Buffer.from(after)]),
        );
        expect(
          inArgument.filter((r) => r.tag !== "*").map((r) => r.tag),
          `byte ${b} in "${before}"`,
        ).toEqual([before[0]]);
      }
      imap.destroy();
    }
    const lines = await RawImap.open(s.imapPort);
    const bare = await answersTo(lines.imap, Buffer.from("a NOOP\rb NOOP\n\r\n\n"));
    expect(bare.every((r) => r.status === "BAD" || r.status === "OK")).toBe(true);
    lines.imap.destroy();
    await noSessions();
  });

  it("literal sizes no server can take are refused at once, without '+', and the session goes on", async () => {
    for (const header of ["{4294967295}", "{99999999999}", "{18446744073709551616}"])
      for (const command of [`a LOGIN rae ${header}`, `a APPEND INBOX ${header}`, `a ${header}`]) {
        const { imap } = await RawImap.open(s.imapPort);
        if (command.includes("APPEND"))
          expect((await imap.status("l", `LOGIN rae "${PASSWORD}"`)).status).toBe("OK");
        const answers = await answersTo(imap, Buffer.from(command));
        expect(
          answers.map((r) => [r.tag, r.status]),
          command,
        ).toEqual([["a", expect.stringMatching(/^(BAD|NO)$/)]]);
        imap.destroy();
      }
    await noSessions();
  });

  it("a LITERAL+ announcement past 2^32-1 octets (no valid IMAP number) is BAD and ends the connection: the server does not read on", async () => {
    const { imap } = await RawImap.open(s.imapPort);
    imap.send("a LOGIN rae {99999999999+}\r\nabc\r\n");
    const answers = [await imap.next(), await imap.next()];
    expect(answers.map((r) => [r.tag, r.status])).toEqual([
      ["a", "BAD"],
      ["*", "BYE"],
    ]);
    await imap.closed;
    await noSessions();
  });

  it("unterminated literals: a client that stops in the middle and half-closes or vanishes ends its session", async () => {
    for (const leave of ["end", "destroy"] as const)
      for (const start of ["a LOGIN rae {20}\r\n", "a LOGIN rae {20+}\r\nabc", "a NOOP {5}\r\n"]) {
        const { imap } = await RawImap.open(s.imapPort);
        imap.send(start);
        if (start.endsWith("}\r\n")) {
          const go = await imap.next();
          expect(go.tag, go.line).toBe("+");
          imap.send("abc");
        }
        await expect.poll(() => server.sessions()).toBe(1);
        if (leave === "end") {
          imap.end();
          await imap.closed; // the server closed its side at once
        } else imap.destroy();
        await noSessions();
      }
  });

  it("a logged-in client that half-closes is closed at once; one that vanishes is let go at once", async () => {
    const a = await loggedIn(s.imapPort, "rae", PASSWORD);
    const b = await loggedIn(s.imapPort, "rae", PASSWORD);
    expect(server.sessions()).toBe(2);
    a.end();
    await a.closed;
    b.destroy();
    await noSessions();
  });

  it("a flood of 1,100 connections that vanish (some logged in, some mid-command) holds nothing; the user logs in after", async () => {
    // One after the other: the core counts logins in flight against login_attempts (10), right password or not.
    const loggedInOnes: Array<RawImap | Error> = [];
    for (let i = 0; i < PER_USER + 5; i++)
      loggedInOnes.push(await loggedIn(s.imapPort, "rae", PASSWORD).catch((e: Error) => e));
    // The per-user cap is real: the ones past it were refused with NO [LIMIT].
    const refused = loggedInOnes.filter((c) => c instanceof Error);
    expect(refused.map((e) => e.message)).toEqual(Array(5).fill(expect.stringContaining("[LIMIT]")));
    const flood: RawImap[] = [];
    for (let i = 0; i < 1100 - PER_USER; i++) {
      const imap = await RawImap.connect(s.imapPort);
      imap.send(["", "a CAPABILITY\r\n", "b LOGIN rae {100}\r\n", "c SELECT INBOX", "\0\xff\r\n"][i % 5]);
      flood.push(imap);
    }
    for (const c of loggedInOnes) if (c instanceof RawImap) flood.push(c);
    flood.forEach((c, i) => (i % 2 ? c.destroy() : c.end()));
    await noSessions();
    // Every per-user slot came back: PER_USER logins at once all succeed.
    const again = await Promise.all(
      Array.from({ length: PER_USER }, () => loggedIn(s.imapPort, "rae", PASSWORD)),
    );
    expect(server.sessions()).toBe(PER_USER);
    again.forEach((c) => c.destroy());
    await noSessions();
  }, 60_000);
});
