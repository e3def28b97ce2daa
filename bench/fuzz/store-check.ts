// What the fuzz run checks in the store, read through the core after the server has stopped: no message that
// was there before changed (bytes, place, flags; POP3 may only add \Seen at QUIT; the IMAP sessions open the
// checked INBOX read-only, so nothing at all), every message acknowledged with 250 is stored byte-exact under
// the UID the reply named, and every new message is one an LMTP session sent (or the IMAP user's own).
import { ADMIN, DELIVERY, type Core } from "../../src/core/index.js";
import { openCore } from "../../src/main.js";
import { configFor, type StoreSetup } from "../lib/eider-process.js";
import type { CampaignResult } from "./campaign.js";
import { sha256, withoutTraceLines } from "./lmtp-replies.js";

export interface StoredMessage {
  username: string;
  userId: string;
  path: string;
  uid: number;
  flags: string[];
  sha256: string;
  /** sha256 of the DATA bytes (the stored copy without the LMTP trace lines). */
  bodySha256: string | null;
}

/** Every message of these users, keyed "userId/path/uid". */
export async function snapshot(setup: StoreSetup, usernames: string[]): Promise<Map<string, StoredMessage>> {
  const { core } = await openCore(configFor(setup));
  try {
    return await readMessages(core, usernames);
  } finally {
    await core.close();
  }
}

async function readMessages(core: Core, usernames: string[]): Promise<Map<string, StoredMessage>> {
  const out = new Map<string, StoredMessage>();
  for (const username of usernames) {
    const user = await core.users.findByName(ADMIN, username);
    const principal = { kind: "user", userId: user.id } as const;
    for (const box of await core.mailboxes.list(principal)) {
      const opened = await core.uidMailboxes.open(principal, box.id);
      for (const m of opened.messages) {
        const raw = await core.messages.raw(principal, m.id);
        const body = withoutTraceLines(raw);
        out.set(`${user.id}/${opened.path}/${m.uid}`, {
          username,
          userId: user.id,
          path: opened.path,
          uid: m.uid,
          flags: [...m.flags].sort(),
          sha256: sha256(raw),
          bodySha256: body ? sha256(body) : null,
        });
      }
    }
  }
  return out;
}

export interface StoreVerdict {
  /** Messages there before: all still there, unchanged. */
  unchanged: number;
  /** Of those, how many POP3 marked \Seen at a QUIT. */
  seenByPop3: number;
  /** 250 replies naming a stored UID, each found byte-exact. */
  acknowledged: number;
  /** New messages no 250 reached the client for (it left right after the final dot): each one a session sent. */
  storedUnacknowledged: number;
  /** New messages of the IMAP user: APPENDed, or copied or moved out of a scratch mailbox. */
  imapNew: number;
  /** Sent copies of the submission user (at least one per 250 "queued as" a client read). */
  submissionSent: number;
  newMessages: number;
  failures: string[];
}

export interface StoreUsers {
  /** Its messages may gain \Seen (a RETR then QUIT); it gets no new ones. */
  pop3Username: string;
  /** Its earlier messages may not change at all; new ones (APPEND, COPY, MOVE) are allowed. */
  imapUsername: string;
  lmtp: CampaignResult | null;
  /** Its only new messages may be Sent copies, at least as many as the 250s its sessions read. */
  submission?: { username: string; campaign: CampaignResult | null };
}

export async function verifyStore(
  setup: StoreSetup,
  before: Map<string, StoredMessage>,
  usernames: string[],
  { pop3Username, imapUsername, lmtp, submission }: StoreUsers,
): Promise<StoreVerdict> {
  const { core } = await openCore(configFor(setup));
  try {
    const after = await readMessages(core, usernames);
    const verdict: StoreVerdict = {
      unchanged: 0,
      seenByPop3: 0,
      acknowledged: 0,
      storedUnacknowledged: 0,
      imapNew: 0,
      submissionSent: 0,
      newMessages: 0,
      failures: [],
    };
    const fail = (text: string) => verdict.failures.length < 50 && verdict.failures.push(text);

    for (const [key, was] of before) {
      const now = after.get(key);
      if (!now) fail(`${was.username} ${was.path} UID ${was.uid} is gone`);
      else if (now.sha256 !== was.sha256)
        fail(`${was.username} ${was.path} UID ${was.uid} changed its bytes`);
      else {
        const added = now.flags.filter((f) => !was.flags.includes(f));
        const removed = was.flags.filter((f) => !now.flags.includes(f));
        const seenOnly = was.username === pop3Username && added.length === 1 && added[0] === "\\Seen";
        if (removed.length > 0 || (added.length > 0 && !seenOnly))
          fail(`${was.username} ${was.path} UID ${was.uid} flags ${was.flags} -> ${now.flags}`);
        else {
          verdict.unchanged++;
          if (seenOnly) verdict.seenByPop3++;
        }
      }
    }

    const fresh = new Map([...after].filter(([key]) => !before.has(key)));
    verdict.newMessages = fresh.size;
    const acknowledgedKeys = new Set<string>();
    for (const a of lmtp?.acknowledged ?? []) {
      const check = await core.delivery.checkRecipient(DELIVERY, a.recipient);
      const key = `${check.userId}/${a.path}/${a.uid}`;
      const stored = fresh.get(key);
      if (!stored)
        fail(`session ${a.session}: 250 for <${a.recipient}> as UID ${a.uid} in ${a.path}, not stored`);
      else if (!stored.bodySha256 || !a.deliverable.includes(stored.bodySha256))
        fail(
          `session ${a.session}: <${a.recipient}> UID ${a.uid} in ${a.path} is not byte-exact what it sent`,
        );
      else {
        verdict.acknowledged++;
        acknowledgedKeys.add(key);
      }
    }
    for (const [key, m] of fresh) {
      if (acknowledgedKeys.has(key)) continue;
      if (m.username === imapUsername) verdict.imapNew++;
      else if (m.username === submission?.username) {
        if (m.path === "Sent Mail") verdict.submissionSent++;
        else fail(`${m.username} got a message in ${m.path} (UID ${m.uid}); only Sent copies were expected`);
      } else if (m.username === pop3Username)
        fail(`${m.username} got a new message (${m.path} UID ${m.uid})`);
      else if (!m.bodySha256 || !lmtp?.deliverable.has(m.bodySha256))
        fail(`${m.username} ${m.path} UID ${m.uid} was stored but no session sent those bytes`);
      else verdict.storedUnacknowledged++;
    }
    const queued = submission?.campaign?.queued ?? 0;
    if (verdict.submissionSent < queued)
      fail(
        `${queued} submissions were answered "queued as" but only ${verdict.submissionSent} Sent copies exist`,
      );
    return verdict;
  } finally {
    await core.close();
  }
}
