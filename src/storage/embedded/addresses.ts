import type { AddressRecord, AddressStore } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import { isUniqueViolation } from "./constraint-errors.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";
import { domainsOf } from "../address-domains.js";

export class SqliteAddressStore implements AddressStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async add(a: AddressRecord): Promise<void> {
    try {
      await this.ctx.write(() =>
        this.ctx
          .stmt("INSERT INTO addresses (id, user_id, address, normalized, created_at) VALUES (?, ?, ?, ?, ?)")
          .run(a.id, a.userId, a.address, a.normalized, a.createdAt.getTime()),
      );
    } catch (err) {
      if (isUniqueViolation(err))
        throw new StoreConflictError(`Address "${a.address}" is already in use.`, "address");
      throw err;
    }
  }

  async remove(userId: string, id: string): Promise<boolean> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM addresses WHERE id = ? AND user_id = ?").run(id, userId).changes > 0,
    );
  }

  async findByNormalized(normalized: string): Promise<AddressRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM addresses WHERE normalized = ?").get(normalized) as
      Row | undefined;
    return r ? toAddress(r) : null;
  }

  async listForUser(userId: string): Promise<AddressRecord[]> {
    const rows = this.ctx
      .stmt("SELECT * FROM addresses WHERE user_id = ? ORDER BY created_at, address")
      .all(userId) as Row[];
    return rows.map(toAddress);
  }

  async listDomains(): Promise<string[]> {
    // SQLite has no "last index of": the first `@` narrows the rows, domainsOf takes the part after the last.
    const rows = this.ctx
      .stmt("SELECT DISTINCT substr(normalized, instr(normalized, '@') + 1) AS rest FROM addresses")
      .all() as Array<{ rest: string }>;
    return domainsOf(rows.map((r) => r.rest));
  }
}

function toAddress(r: Row): AddressRecord {
  return {
    id: r.id,
    userId: r.user_id,
    address: r.address,
    normalized: r.normalized,
    createdAt: new Date(r.created_at),
  };
}
