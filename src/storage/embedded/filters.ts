import type { FilterPatch, FilterRecord, FilterStore } from "../ports.js";
import type { EmbeddedContext } from "./context.js";
import { toFilter, type Row } from "./records.js";

export class SqliteFilterStore implements FilterStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async create(f: FilterRecord): Promise<void> {
    await this.ctx.write(() =>
      this.ctx
        .stmt(
          `INSERT INTO filters (id, user_id, name, position, enabled, conditions, actions, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          f.id,
          f.userId,
          f.name,
          f.position,
          f.enabled ? 1 : 0,
          JSON.stringify(f.conditions),
          JSON.stringify(f.actions),
          f.createdAt.getTime(),
          f.updatedAt.getTime(),
        ),
    );
  }

  async get(userId: string, id: string): Promise<FilterRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM filters WHERE id = ? AND user_id = ?").get(id, userId) as
      Row | undefined;
    return r ? toFilter(r) : null;
  }

  async list(userId: string): Promise<FilterRecord[]> {
    const rows = this.ctx
      .stmt("SELECT * FROM filters WHERE user_id = ? ORDER BY position, id")
      .all(userId) as Row[];
    return rows.map(toFilter);
  }

  async update(userId: string, id: string, patch: FilterPatch): Promise<FilterRecord | null> {
    const columns: Array<[string, unknown]> = [["updated_at", patch.updatedAt.getTime()]];
    if (patch.name !== undefined) columns.push(["name", patch.name]);
    if (patch.enabled !== undefined) columns.push(["enabled", patch.enabled ? 1 : 0]);
    if (patch.conditions !== undefined) columns.push(["conditions", JSON.stringify(patch.conditions)]);
    if (patch.actions !== undefined) columns.push(["actions", JSON.stringify(patch.actions)]);
    const changed = await this.ctx.write(
      () =>
        this.ctx
          .stmt(
            `UPDATE filters SET ${columns.map(([c]) => `${c} = ?`).join(", ")} WHERE id = ? AND user_id = ?`,
          )
          .run(...columns.map(([, v]) => v), id, userId).changes,
    );
    return changed > 0 ? this.get(userId, id) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM filters WHERE id = ? AND user_id = ?").run(id, userId).changes > 0,
    );
  }

  async setPositions(userId: string, ids: string[]): Promise<void> {
    await this.ctx.write(() => {
      const set = this.ctx.stmt("UPDATE filters SET position = ? WHERE id = ? AND user_id = ?");
      ids.forEach((id, position) => set.run(position, id, userId));
    });
  }
}
