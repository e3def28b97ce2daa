// Drafts: unsent messages in the user's \Drafts mailbox, flagged \Draft and \Seen. A draft is replaced by a new
// message each time it is saved (IMAP clients do the same: APPEND the new one, expunge the old).
import type { Store } from "../../storage/ports.js";
import { notFound } from "../errors.js";
import type { MailboxService } from "../mailboxes.js";
import type { MessageService } from "../messages.js";
import type { Principal } from "../principal.js";
import type { Draft } from "./types.js";

/** Where drafts go when the user has no \Drafts mailbox (the path new users get). */
const DRAFTS_PATH = "Drafts";
const DRAFT_FLAGS = ["\\Draft", "\\Seen"];

export class DraftFolder {
  constructor(
    private readonly store: Store,
    private readonly mailboxes: MailboxService,
    private readonly messages: MessageService,
  ) {}

  /** Stores `raw` as a draft; then removes `replacesId` (checked first, so a wrong id stores nothing). */
  async save(userId: string, raw: Buffer, replacesId?: string | null): Promise<Draft> {
    const user: Principal = { kind: "user", userId };
    if (replacesId) await this.get(userId, replacesId);
    const folder = await this.mailboxes.ensureSpecialUse(user, "\\Drafts", DRAFTS_PATH);
    const stored = await this.messages.upload(user, folder.id, raw, DRAFT_FLAGS);
    if (replacesId) await this.messages.delete(user, [replacesId]);
    return { messageId: stored.id, mailboxId: stored.mailboxId, uid: stored.uid };
  }

  /** The draft `id` when it still exists, else null. */
  async find(userId: string, id: string): Promise<Draft | null> {
    const m = await this.store.messages.get(userId, id);
    return m ? { messageId: m.id, mailboxId: m.mailboxId, uid: m.uid } : null;
  }

  /** As find, NOT_FOUND when there is no such message of the user. */
  async get(userId: string, id: string): Promise<Draft> {
    const draft = await this.find(userId, id);
    if (!draft) throw notFound("Draft", id);
    return draft;
  }
}
