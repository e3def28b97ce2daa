import { MAX_IDENTITY_RETRIES, type MongoContext } from "./context.js";
import { isDuplicateKey } from "./constraint-errors.js";
import { type MessageDoc } from "./records.js";

// Placing new message documents (append and copy): a modseq and a UID each, guarded by the unique
// `{mailbox, uid}` index.

/** A message document before it has a mailbox, UID and modseq. */
export type UnplacedDoc = Omit<MessageDoc, "mailbox" | "uid" | "modseq">;

/**
 * Gives each document a modseq and a UID in the mailbox and inserts them. A UID refused by the unique
 * `{mailbox, uid}` index (a counter update lost by the server) is replaced by a fresh one, a bounded
 * number of times; an id that exists already is an error.
 */
export async function insertPlaced(
  ctx: MongoContext,
  userId: string,
  mailboxId: string,
  docs: UnplacedDoc[],
): Promise<MessageDoc[]> {
  const firstModseq = await ctx.takeModseqs(userId, docs.length);
  const firstUid = await ctx.takeUids(userId, mailboxId, docs.length);
  const placed: MessageDoc[] = docs.map((d, i) => ({
    ...d,
    mailbox: mailboxId,
    uid: firstUid + i,
    modseq: firstModseq + i,
  }));
  let refused: number[] = [];
  try {
    await ctx.messages.insertMany(placed, { ordered: false });
  } catch (err) {
    const errors = (
      err as { writeErrors?: { index: number; code?: number } | Array<{ index: number; code?: number }> }
    ).writeErrors;
    const list = errors === undefined ? [] : Array.isArray(errors) ? errors : [errors];
    if (list.length === 0 || !list.every((w) => w.code === 11000)) throw err;
    refused = list.map((w) => w.index);
  }
  for (const i of refused) placed[i] = await insertWithFreshUid(ctx, userId, placed[i]);
  // A mailbox deleted while these were placed (its delete swept before they landed) would leave them
  // orphaned: take them back out, and the caller gives back refs and usage as for any failed insert.
  if (!(await ctx.mailboxes.findOne({ _id: mailboxId, user: userId }, { projection: { _id: 1 } }))) {
    await ctx.messages.deleteMany({
      _id: { $in: placed.map((d) => d._id) },
      user: userId,
      mailbox: mailboxId,
    });
    throw new Error(`Mailbox ${mailboxId} was deleted while messages were stored into it.`);
  }
  return placed;
}

async function insertWithFreshUid(ctx: MongoContext, userId: string, doc: MessageDoc): Promise<MessageDoc> {
  for (let attempt = 1; ; attempt++) {
    if (await ctx.messages.findOne({ _id: doc._id }, { projection: { _id: 1 } })) {
      throw new Error(`Message ${doc._id} already exists.`);
    }
    await ctx.resyncUidNext(doc.mailbox);
    const uid = await ctx.takeUids(userId, doc.mailbox, 1);
    const modseq = await ctx.takeModseqs(userId, 1);
    const next = { ...doc, uid, modseq };
    try {
      await ctx.messages.insertOne(next);
      return next;
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= MAX_IDENTITY_RETRIES) throw err;
      // Writers refused together retry together: a random pause (growing with each attempt) spreads them, so
      // they do not take the same next UID again where the server lost the counter's updates (FerretDB v1).
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt * 2));
    }
  }
}

export function withoutPlacement(d: MessageDoc): UnplacedDoc {
  const copy: Partial<MessageDoc> = { ...d };
  delete copy.mailbox;
  delete copy.uid;
  delete copy.modseq;
  return copy as UnplacedDoc;
}

/** Runs `step`; if it fails, takes back the references added just before it (repair would, later). */
/** Runs a step after usage was reserved, giving the usage back if the step fails. */
export async function withStorageGivenBackOnFailure<T>(
  ctx: MongoContext,
  userId: string,
  adding: number,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await ctx.changeStorage(userId, -adding).catch(() => undefined); // the first error matters; repair recounts usage
    throw err;
  }
}

export async function withRefsTakenBackOnFailure<T>(
  ctx: MongoContext,
  refs: string[],
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    await ctx.dropBlobRefs(refs).catch(() => undefined); // the first error matters; repair recounts refs
    throw err;
  }
}
