// A mail client opening many IMAP connections at once, all with the right password: every LOGIN is accepted,
// though there are more of them than failed attempts allowed (3 here), because a right password is never counted
// as a failure. Wrong passwords are still counted and still end in NO [UNAVAILABLE].
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawImap } from "./raw-imap.js";
import { PASSWORD, startImapTestServer, type ImapTestServer } from "./server.js";

let s: ImapTestServer;
beforeAll(async () => {
  s = await startImapTestServer(["burst", "guessed"], { EIDER_LIMITS_LOGIN_ATTEMPTS: "3" });
}, 180_000);
afterAll(() => s?.stop());

describe("IMAP logins in a burst", () => {
  it("accepts 15 LOGINs with the right password sent on 15 connections at once", async () => {
    const connections = await Promise.all(
      Array.from({ length: 15 }, async () => (await RawImap.open(s.imapPort)).imap),
    );
    try {
      // Every LOGIN is on the wire before any answer is read.
      for (const imap of connections) imap.send(`a LOGIN burst "${PASSWORD}"\r\n`);
      const answers = await Promise.all(connections.map(async (imap) => (await imap.until("a")).pop()!.line));
      expect(answers.filter((line) => !/^a OK /.test(line))).toEqual([]);
      // Each session is really logged in.
      const selects = await Promise.all(connections.map((imap) => imap.status("b", "SELECT INBOX")));
      expect(selects.map((r) => r.status)).toEqual(Array(15).fill("OK"));
    } finally {
      connections.forEach((imap) => imap.destroy());
    }
  });

  it("still refuses even the right password after 3 wrong ones, naming failed attempts", async () => {
    const { imap } = await RawImap.open(s.imapPort);
    try {
      for (let i = 0; i < 3; i++)
        expect((await imap.status(`w${i}`, 'LOGIN guessed "wrong"')).line).toMatch(
          /^w\d NO \[AUTHENTICATIONFAILED\]/,
        );
      expect((await imap.status("r", `LOGIN guessed "${PASSWORD}"`)).line).toMatch(
        /^r NO \[UNAVAILABLE\] Too many failed password attempts for "guessed"; try again in \d+ seconds\.$/,
      );
    } finally {
      imap.destroy();
    }
  });
});
