import type { ThreadStore } from "../ports.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./constraint-errors.js";

export class MongoThreadStore implements ThreadStore {
  constructor(private readonly ctx: MongoContext) {}

  /**
   * Looks the refs up in `threadrefs`, keeps a thread with the same subject key, or creates
   * `newThreadId`; then files each ref not yet filed (the unique `{user, ref}` index keeps the first).
   */
  async resolve(userId: string, refs: string[], subjectKey: string, newThreadId: string): Promise<string> {
    const { threads, threadRefs } = this.ctx;
    let threadId: string | undefined;
    if (refs.length > 0) {
      const known = await threadRefs
        .find({ user: userId, ref: { $in: refs } }, { projection: { thread: 1 } })
        .toArray();
      const candidates = [...new Set(known.map((r) => r.thread))];
      if (candidates.length > 0) {
        const t = await threads.findOne(
          { _id: { $in: candidates }, user: userId, subjectKey },
          { projection: { _id: 1 } },
        );
        threadId = t?._id;
      }
    }
    if (!threadId) {
      threadId = newThreadId;
      try {
        await threads.insertOne({ _id: threadId, user: userId, subjectKey });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // a retried resolve with the same new id: the thread is there
      }
    }
    if (refs.length > 0) {
      try {
        await threadRefs.bulkWrite(
          [...new Set(refs)].map((ref) => ({
            updateOne: {
              filter: { user: userId, ref },
              update: { $setOnInsert: { thread: threadId } },
              upsert: true,
            },
          })),
          { ordered: false },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // two upserts of one ref raced: the first one stays
      }
    }
    return threadId;
  }
}
