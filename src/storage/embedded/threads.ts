import type { ThreadStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import { placeholders, type Row } from "./rows.js";

export class SqliteThreadStore implements ThreadStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async resolve(userId: string, refs: string[], subjectKey: string, newThreadId: string): Promise<string> {
    const { db } = this.ctx;
    return db.transaction(() => {
      let threadId: string | undefined;
      if (refs.length > 0) {
        const row = db
          .prepare(
            `SELECT t.id FROM thread_refs r JOIN threads t ON t.id = r.thread_id
             WHERE r.user_id = ? AND r.ref IN (${placeholders(refs.length)}) AND t.subject_key = ? LIMIT 1`,
          )
          .get(userId, ...refs, subjectKey) as Row | undefined;
        threadId = row?.id;
      }
      if (!threadId) {
        threadId = newThreadId;
        db.prepare("INSERT INTO threads (id, user_id, subject_key) VALUES (?, ?, ?)").run(threadId, userId, subjectKey);
      }
      const file = db.prepare(
        "INSERT INTO thread_refs (user_id, ref, thread_id) VALUES (?, ?, ?) ON CONFLICT (user_id, ref) DO NOTHING",
      );
      for (const ref of refs) file.run(userId, ref, threadId);
      return threadId;
    })();
  }
}
