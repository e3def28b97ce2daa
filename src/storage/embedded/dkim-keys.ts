import type { DkimKeyRecord, DkimKeyStore } from "../ports.js";
import { StoreConflictError } from "../ports.js";
import { isUniqueViolation } from "./constraint-errors.js";
import type { EmbeddedContext } from "./context.js";
import type { Row } from "./records.js";

const COLUMNS = "domain, selector, algorithm, private_key, created_at";

export class SqliteDkimKeyStore implements DkimKeyStore {
  constructor(private readonly ctx: EmbeddedContext) {}

  async create(k: DkimKeyRecord): Promise<void> {
    try {
      await this.ctx.write(() =>
        this.ctx.stmt(`INSERT INTO dkim_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`).run(...values(k)),
      );
    } catch (err) {
      if (isUniqueViolation(err))
        throw new StoreConflictError(`Domain "${k.domain}" already has a DKIM key.`, "domain");
      throw err;
    }
  }

  async replace(k: DkimKeyRecord): Promise<void> {
    await this.ctx.write(() =>
      this.ctx.stmt(`INSERT OR REPLACE INTO dkim_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`).run(...values(k)),
    );
  }

  async get(domain: string): Promise<DkimKeyRecord | null> {
    const r = this.ctx.stmt("SELECT * FROM dkim_keys WHERE domain = ?").get(domain) as Row | undefined;
    return r ? toDkimKey(r) : null;
  }

  async findAny(domains: readonly string[]): Promise<DkimKeyRecord[]> {
    if (domains.length === 0) return [];
    const marks = domains.map(() => "?").join(", ");
    const rows = this.ctx.stmt(`SELECT * FROM dkim_keys WHERE domain IN (${marks})`).all(...domains);
    return (rows as Row[]).map(toDkimKey);
  }

  async list(): Promise<DkimKeyRecord[]> {
    return (this.ctx.stmt("SELECT * FROM dkim_keys ORDER BY domain").all() as Row[]).map(toDkimKey);
  }

  async delete(domain: string): Promise<boolean> {
    return this.ctx.write(
      () => this.ctx.stmt("DELETE FROM dkim_keys WHERE domain = ?").run(domain).changes > 0,
    );
  }
}

function values(k: DkimKeyRecord): [string, string, string, string, number] {
  return [k.domain, k.selector, k.algorithm, k.privateKeyPem, k.createdAt.getTime()];
}

function toDkimKey(r: Row): DkimKeyRecord {
  return {
    domain: r.domain,
    selector: r.selector,
    algorithm: r.algorithm,
    privateKeyPem: r.private_key,
    createdAt: new Date(r.created_at),
  };
}
