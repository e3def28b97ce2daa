import type { AddressRecord, AddressStore } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./constraint-errors.js";
import { type AddressDoc } from "./records.js";
import { domainsOf } from "../address-domains.js";

export class MongoAddressStore implements AddressStore {
  constructor(private readonly ctx: MongoContext) {}

  /** The unique `{normalized}` index refuses an address in use, whoever holds it. */
  async add(a: AddressRecord): Promise<void> {
    try {
      await this.ctx.addresses.insertOne({
        _id: a.id,
        user: a.userId,
        address: a.address,
        normalized: a.normalized,
        createdAt: a.createdAt,
      });
    } catch (err) {
      if (isDuplicateKey(err))
        throw new StoreConflictError(`Address "${a.address}" is already in use.`, "address");
      throw err;
    }
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return (await this.ctx.addresses.deleteOne({ _id: id, user: userId })).deletedCount > 0;
  }

  async findByNormalized(normalized: string): Promise<AddressRecord | null> {
    const d = await this.ctx.addresses.findOne({ normalized });
    return d ? toAddress(d) : null;
  }

  async listForUser(userId: string): Promise<AddressRecord[]> {
    const docs = await this.ctx.addresses.find({ user: userId }).sort({ createdAt: 1, address: 1 }).toArray();
    return docs.map(toAddress);
  }

  /** A scan of the normalized forms, one batch at a time (no aggregation operator FerretDB v1 might lack). */
  async listDomains(): Promise<string[]> {
    const seen = new Set<string>();
    for await (const d of this.ctx.addresses.find({}, { projection: { _id: 0, normalized: 1 } }))
      seen.add(d.normalized);
    return domainsOf(seen);
  }
}

function toAddress(d: AddressDoc): AddressRecord {
  return { id: d._id, userId: d.user, address: d.address, normalized: d.normalized, createdAt: d.createdAt };
}
