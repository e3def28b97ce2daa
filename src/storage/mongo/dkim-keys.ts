import type { Collection } from "mongodb";
import type { DkimKeyRecord, DkimKeyStore } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import { isDuplicateKey } from "./constraint-errors.js";
import type { MongoContext } from "./context.js";

/** A domain's key with the domain as `_id`: the one-key-per-domain rule is the `_id` index's. */
type DkimKeyDoc = Omit<DkimKeyRecord, "domain"> & { _id: string };

export class MongoDkimKeyStore implements DkimKeyStore {
  private readonly keys: Collection<DkimKeyDoc>;

  constructor(ctx: MongoContext) {
    this.keys = ctx.db.collection("dkimkeys");
  }

  async create(k: DkimKeyRecord): Promise<void> {
    try {
      await this.keys.insertOne(toDoc(k));
    } catch (err) {
      if (isDuplicateKey(err))
        throw new StoreConflictError(`Domain "${k.domain}" already has a DKIM key.`, "domain");
      throw err;
    }
  }

  async replace(k: DkimKeyRecord): Promise<void> {
    const { _id, ...rest } = toDoc(k);
    await this.keys.replaceOne({ _id }, rest, { upsert: true });
  }

  async get(domain: string): Promise<DkimKeyRecord | null> {
    const d = await this.keys.findOne({ _id: domain });
    return d ? toRecord(d) : null;
  }

  async findAny(domains: readonly string[]): Promise<DkimKeyRecord[]> {
    if (domains.length === 0) return [];
    return (await this.keys.find({ _id: { $in: [...domains] } }).toArray()).map(toRecord);
  }

  async list(): Promise<DkimKeyRecord[]> {
    return (await this.keys.find({}).sort({ _id: 1 }).toArray()).map(toRecord);
  }

  async delete(domain: string): Promise<boolean> {
    return (await this.keys.deleteOne({ _id: domain })).deletedCount > 0;
  }
}

function toDoc(k: DkimKeyRecord): DkimKeyDoc {
  const { domain, ...rest } = k;
  return { _id: domain, ...rest };
}

function toRecord(d: DkimKeyDoc): DkimKeyRecord {
  const { _id, ...rest } = d;
  return { domain: _id, ...rest };
}
