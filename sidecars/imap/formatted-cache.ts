// The formatted ENVELOPE, BODY and BODYSTRUCTURE of the messages answered lately, by message id. A message's
// content never changes, so its formatted bytes hold for its life; a client that FETCHes them again (each new
// session of a client that keeps no cache, a phone) skips the store's metadata read, which lies past the body
// in each row, and the formatting. Bounded by bytes, least recently used first out; shared by the process's
// sessions (the core still decides which messages a session may see: only those it returned are looked up).

export const FORMATTED_CACHE_BYTES = 8 * 1024 * 1024;

/** What one entry costs besides its bytes: the key, the Map slot, the Buffer object. */
const ENTRY_OVERHEAD_BYTES = 160;

export type FormattedKind = "ENVELOPE" | "BODY" | "BODYSTRUCTURE";

export class FormattedCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly limitBytes = FORMATTED_CACHE_BYTES) {}

  get size(): number {
    return this.entries.size;
  }

  /** The bytes, now the most recently used; undefined when not held. */
  get(key: string): Buffer | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: Buffer): void {
    const cost = value.length + ENTRY_OVERHEAD_BYTES;
    if (cost > this.limitBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.bytes -= old.length + ENTRY_OVERHEAD_BYTES;
    }
    this.entries.set(key, value);
    this.bytes += cost;
    for (const [oldest, bytes] of this.entries) {
      if (this.bytes <= this.limitBytes) break;
      this.entries.delete(oldest);
      this.bytes -= bytes.length + ENTRY_OVERHEAD_BYTES;
    }
  }
}

/** The process's cache, for every IMAP session. */
export const formattedCache = new FormattedCache();

/**
 * One FETCH chunk's use of the cache: what it took when it told the core a message's metadata need not be
 * read, so an eviction by another session meanwhile cannot leave it with neither.
 */
export class FormattedLookup {
  private readonly taken = new Map<string, Buffer>();

  constructor(
    private readonly cache: FormattedCache,
    private readonly kinds: readonly FormattedKind[],
    /** The formatting options the bytes depend on (UTF8=ACCEPT). */
    private readonly variant: string,
  ) {}

  /** For the core's `metaFor`: true when any asked item of the message is not held; else they are taken. */
  needsMeta(messageId: string): boolean {
    const found: Array<[string, Buffer]> = [];
    for (const kind of this.kinds) {
      const key = this.key(messageId, kind);
      const bytes = this.cache.get(key);
      if (bytes === undefined) return true;
      found.push([key, bytes]);
    }
    for (const [key, bytes] of found) this.taken.set(key, bytes);
    return false;
  }

  /** The formatted bytes: taken, held, or made from the message's metadata now (and kept). */
  get(messageId: string, kind: FormattedKind, make: () => Buffer): Buffer {
    const key = this.key(messageId, kind);
    const held = this.taken.get(key) ?? this.cache.get(key);
    if (held !== undefined) return held;
    const made = make();
    this.cache.set(key, made);
    return made;
  }

  private key(messageId: string, kind: FormattedKind): string {
    return `${messageId} ${kind} ${this.variant}`;
  }
}
