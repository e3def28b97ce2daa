import type { RemovedMessage } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import { selectMany } from "./records.js";

// Removing message rows (expunge, mailbox delete): the rows, their blob references, the quota usage and the
// mailbox counts go, and each removal is journaled, in the caller's transaction. The MongoDB adapter's
// removal.ts is the same step for documents.

const SEEN = "\\Seen";

/** Deletes messages, drops their blob refs and quota, journals each expunge. Call inside a transaction. */
export function removeMessages(ctx: EmbeddedContext, userId: string, ids: string[]): RemovedMessage[] {
  const del = ctx.stmt("DELETE FROM messages WHERE id = ?");
  return selectMany(ctx, userId, ids, ", blob_refs").map((r) => {
    del.run(r.id);
    ctx.changeBlobRefs(JSON.parse(r.blob_refs) as string[], -1);
    ctx.changeStorage(userId, -r.size);
    ctx.changeCounts(r.mailbox_id, -1, (JSON.parse(r.flags) as string[]).includes(SEEN) ? 0 : -1, -r.size);
    const modseq = ctx.takeModseqs(userId, 1);
    ctx.journal(userId, modseq, r.mailbox_id, "expunge", r.id, r.uid);
    return { id: r.id, mailboxId: r.mailbox_id, uid: r.uid, modseq, size: r.size };
  });
}
