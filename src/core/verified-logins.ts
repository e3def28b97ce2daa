import { createHmac, randomBytes } from "node:crypto";

export interface VerifiedLoginCacheOptions {
  /** How long a verified password is remembered after its scrypt check; 0 turns the cache off. */
  ttlMs: number;
  /** Entries kept at most; the least recently used one goes first. */
  maxEntries: number;
  /** The clock (tests move it). */
  now?: () => number;
}

/**
 * Passwords that passed a full scrypt check recently, so that a client logging in again and again with the same
 * password (phones, desktop clients with several connections) does not pay scrypt each time. Like Dovecot's
 * auth cache, but it keeps no password and no user data: only an HMAC, under a key drawn at start and never
 * stored, of (user id, the stored hash it was checked against, the password). A lookup takes the hash the user
 * row has now, so a password change or rehash makes every older entry miss at once, in every process, with no
 * message between them. Only successes are remembered: a wrong password always pays scrypt.
 */
export class VerifiedLoginCache {
  private readonly key = randomBytes(32);
  /** Digest to the time it expires; Map order is use order (oldest first). */
  private readonly entries = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: VerifiedLoginCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0 && this.options.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether this password was verified against this stored hash within the TTL. */
  has(userId: string, storedHash: string, password: string): boolean {
    if (!this.enabled) return false;
    const digest = this.digest(userId, storedHash, password);
    const expiresAt = this.entries.get(digest);
    if (expiresAt === undefined) return false;
    this.entries.delete(digest);
    if (expiresAt <= this.now()) return false;
    // A hit moves the entry to the back of the eviction order; its expiry stays that of its scrypt check.
    this.entries.set(digest, expiresAt);
    return true;
  }

  /** Remembers a password that scrypt has just verified against this stored hash. */
  remember(userId: string, storedHash: string, password: string): void {
    if (!this.enabled) return;
    const digest = this.digest(userId, storedHash, password);
    this.entries.delete(digest);
    this.entries.set(digest, this.now() + this.options.ttlMs);
    // Drop from the front what is over the bound, and what has expired there (the rest goes when looked up).
    const now = this.now();
    for (const [oldest, expiresAt] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && expiresAt > now) break;
      this.entries.delete(oldest);
    }
  }

  private digest(userId: string, storedHash: string, password: string): string {
    const hmac = createHmac("sha256", this.key);
    // Each part length-prefixed, so no two different triples feed the HMAC the same bytes. NFC as scrypt sees it.
    for (const part of [userId, storedHash, password.normalize("NFC")]) {
      const bytes = Buffer.from(part, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      hmac.update(length).update(bytes);
    }
    return hmac.digest("base64");
  }
}
