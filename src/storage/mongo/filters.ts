import type { FilterPatch, FilterRecord, FilterStore } from "../ports.js";
import type { MongoContext } from "./context.js";
import { toFilter, type FilterDoc } from "./records.js";

export class MongoFilterStore implements FilterStore {
  constructor(private readonly ctx: MongoContext) {}

  async create(f: FilterRecord): Promise<void> {
    await this.ctx.filters.insertOne({
      _id: f.id,
      user: f.userId,
      name: f.name,
      position: f.position,
      enabled: f.enabled,
      conditions: f.conditions,
      actions: f.actions,
      createdAt: f.createdAt,
      updatedAt: f.updatedAt,
    });
  }

  async get(userId: string, id: string): Promise<FilterRecord | null> {
    const d = await this.ctx.filters.findOne({ _id: id, user: userId });
    return d ? toFilter(d) : null;
  }

  async list(userId: string): Promise<FilterRecord[]> {
    const docs = await this.ctx.filters.find({ user: userId }).sort({ position: 1, _id: 1 }).toArray();
    return docs.map(toFilter);
  }

  /** Conditions and actions are replaced whole, so a key the client dropped does not linger. */
  async update(userId: string, id: string, patch: FilterPatch): Promise<FilterRecord | null> {
    const set: Partial<FilterDoc> = { updatedAt: patch.updatedAt };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    if (patch.conditions !== undefined) set.conditions = patch.conditions;
    if (patch.actions !== undefined) set.actions = patch.actions;
    const d = await this.ctx.filters.findOneAndUpdate(
      { _id: id, user: userId },
      { $set: set },
      { returnDocument: "after" },
    );
    return d ? toFilter(d) : null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    return (await this.ctx.filters.deleteOne({ _id: id, user: userId })).deletedCount > 0;
  }

  async setPositions(userId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ctx.filters.bulkWrite(
      ids.map((id, position) => ({
        updateOne: { filter: { _id: id, user: userId }, update: { $set: { position } } },
      })),
      { ordered: false },
    );
  }
}
