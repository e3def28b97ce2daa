// The maildrop a POP3 session sees (WildDuck's behaviour): the newest N INBOX messages, numbered 1..N in UID
// order, fixed for the session. DELE and RETR are only remembered; QUIT applies them in the UPDATE state
// (RFC 1939 §6), so a dropped connection changes nothing.
import type { Core, Principal } from "../../src/core/index.js";

export interface MaildropEntry {
  /** The message number the client uses (1-based). */
  number: number;
  uid: number;
  size: number;
  /** RFC 1939 §7 unique-id: UIDVALIDITY and UID, stable across sessions while the message stays in INBOX. */
  uniqueId: string;
  seen: boolean;
  deleted: boolean;
  retrieved: boolean;
}

export type DeleAction = "trash" | "delete";

export interface UpdateResult {
  seen: number;
  deleted: number;
}

export class Maildrop {
  private constructor(
    private readonly core: Core,
    private readonly principal: Principal,
    readonly mailboxId: string,
    private readonly entries: MaildropEntry[],
  ) {}

  static async open(core: Core, principal: Principal, listingSize: number): Promise<Maildrop> {
    const box = await core.uidMailboxes.openByPath(principal, "INBOX");
    const newest = listingSize > 0 ? box.messages.slice(-listingSize) : [];
    const entries = newest.map((m, i) => ({
      number: i + 1,
      uid: m.uid,
      size: m.size,
      uniqueId: `${box.uidValidity}-${m.uid}`,
      seen: m.flags.includes("\\Seen"),
      deleted: false,
      retrieved: false,
    }));
    return new Maildrop(core, principal, box.mailboxId, entries);
  }

  /** The messages not marked deleted, in number order. */
  live(): MaildropEntry[] {
    return this.entries.filter((e) => !e.deleted);
  }

  /** A message by number, or null when there is none or it is marked deleted (RFC 1939 §5). */
  get(number: number): MaildropEntry | null {
    const e = this.entries[number - 1];
    return e && !e.deleted ? e : null;
  }

  stat(): { count: number; size: number } {
    const live = this.live();
    return { count: live.length, size: live.reduce((sum, e) => sum + e.size, 0) };
  }

  /** Unmarks every message marked deleted (RSET). */
  reset(): void {
    for (const e of this.entries) e.deleted = false;
  }

  /**
   * The UPDATE state: retrieved messages get \Seen, then deleted ones go to Trash (or are removed when
   * configured, or when the user has no Trash).
   */
  async update(deleAction: DeleAction): Promise<UpdateResult> {
    const uidMailboxes = this.core.uidMailboxes;
    const toSee = this.entries.filter((e) => e.retrieved && !e.seen).map((e) => e.uid);
    const toDelete = this.entries.filter((e) => e.deleted).map((e) => e.uid);
    if (toSee.length > 0)
      await uidMailboxes.storeFlags(this.principal, this.mailboxId, toSee, { op: "add", flags: ["\\Seen"] });
    if (toDelete.length === 0) return { seen: toSee.length, deleted: 0 };
    const trash =
      deleAction === "trash"
        ? (await this.core.mailboxes.list(this.principal)).find((m) => m.specialUse === "\\Trash")
        : undefined;
    if (trash && trash.id !== this.mailboxId)
      await uidMailboxes.move(this.principal, this.mailboxId, toDelete, trash.id);
    else await uidMailboxes.expunge(this.principal, this.mailboxId, toDelete, { deletedOnly: false });
    return { seen: toSee.length, deleted: toDelete.length };
  }
}
