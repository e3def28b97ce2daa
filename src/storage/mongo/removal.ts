import type { RemovedMessage } from "../ports.js";
import type { MongoContext } from "./context.js";
import type { MessageDoc } from "./records.js";

/** The fields a removal needs to undo a message's references, quota and UID. */
export type RemovableDoc = Pick<MessageDoc, "_id" | "mailbox" | "uid" | "size" | "blobRefs">;

export const REMOVAL_PROJECTION = { _id: 1, mailbox: 1, uid: 1, size: 1, blobRefs: 1 } as const;

/**
 * Deletes each message document where it was read (same mailbox and UID) and returns the ones this call
 * deleted, so that two concurrent removals never both drop a message's references and quota.
 */
export async function removeMessageDocs(
  ctx: MongoContext,
  userId: string,
  docs: RemovableDoc[],
): Promise<RemovableDoc[]> {
  const results = await Promise.all(
    docs.map((d) => ctx.messages.deleteOne({ _id: d._id, user: userId, mailbox: d.mailbox, uid: d.uid })),
  );
  return docs.filter((_, i) => results[i].deletedCount === 1);
}

/**
 * One logical removal, in crash-safe order: delete the documents first (nothing half-removed stays
 * visible), then drop blob references and quota (a crash here leaves a reference or quota too many,
 * which `repair()` recounts), then journal one "expunge" per message, each with its own modseq.
 */
export async function removeMessages(
  ctx: MongoContext,
  userId: string,
  docs: RemovableDoc[],
): Promise<RemovedMessage[]> {
  await ctx.touchUsage(userId); // the documents go before the usage does: keep the reconcile away meanwhile
  const gone = await removeMessageDocs(ctx, userId, docs);
  if (gone.length === 0) return [];
  await ctx.dropBlobRefs(gone.flatMap((d) => d.blobRefs));
  await ctx.changeStorage(userId, -gone.reduce((sum, d) => sum + d.size, 0));
  const first = await ctx.takeModseqs(userId, gone.length);
  const modseqs = await ctx.writeJournal(
    userId,
    gone.map((d, i) => ({
      modseq: first + i,
      mailbox: d.mailbox,
      kind: "expunge",
      message: d._id,
      uid: d.uid,
    })),
  );
  return gone.map((d, i) => ({
    id: d._id,
    mailboxId: d.mailbox,
    uid: d.uid,
    modseq: modseqs[i],
    size: d.size,
  }));
}
