import type { ThreadStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import { placeholders, type Row } from "./records.js";

/** Finds or creates the thread and files the refs under it. Call inside a write. */
export function resolveThread(
  ctx: EmbeddedContext,
  userId: string,
  refs: string[],
  subjectKey: string,
  newThreadId: string,
): string {
  let threadId: string | undefined;
  if (refs.length > 0) {
    const row = ctx
      .stmt(
        `SELECT t.id FROM thread_refs r JOIN threads t ON t.id = r.thread_id
         WHERE r.user_id = ? AND r.ref IN (${placeholders(refs.length)}) AND t.subject_key = ? LIMIT 1`,
      )
      .get(userId, ...refs, subjectKey) as Row | undefined;
    threadId = row?.id;
  }
  if (!threadId) {
    threadId = newThreadId;
    ctx
      .stmt("INSERT INTO threads (id, user_id, subject_key) VALUES (?, ?, ?)")
      .run(threadId, userId, subjectKey);
  }
  const file = ctx.stmt(
    "INSERT INTO thread_refs (user_id, ref, thread_id) VALUES (?, ?, ?) ON CONFLICT (user_id, ref) DO NOTHING",
  );
  for (const ref of refs) file.run(userId, ref, threadId);
  return threadId;
}

export class SqliteThreadStore implements ThreadStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async resolve(userId: string, refs: string[], subjectKey: string, newThreadId: string): Promise<string> {
    return this.ctx.write(() => resolveThread(this.ctx, userId, refs, subjectKey, newThreadId));
  }
}
