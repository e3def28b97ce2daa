import { isDomainError } from "./errors.js";
import type { Filter, FilterService } from "./filters.js";
import { isId } from "./ids.js";
import type { MailboxService } from "./mailboxes.js";
import type { MessageService } from "./messages.js";
import type { AddressRecord, MailboxRecord, MessageRecord, UserRecord } from "./model.js";
import type { OutboxEntry, OutboxService } from "./outbox/types.js";
import type { Principal } from "./principal.js";
import type { UserService } from "./users.js";

/** Any object with an id, found by that id alone (a web client's cache refetching what it holds). */
export type NodeRecord =
  | { type: "User"; user: UserRecord }
  | { type: "Address"; address: AddressRecord }
  | { type: "Mailbox"; mailbox: MailboxRecord }
  | { type: "Message"; message: MessageRecord }
  | { type: "Thread"; threadId: string; messages: MessageRecord[] }
  | { type: "Filter"; filter: Filter }
  | { type: "OutboxEntry"; entry: OutboxEntry };

/**
 * Finds an object by id among those the principal may read, through the same services (and checks) as every
 * other read. Ids are unique across types (24 hex digits, 64 of them random), so at most one kind matches; the
 * kinds are looked up together. Another user's id, like an unknown one, finds nothing.
 */
export class NodeService {
  constructor(
    private readonly users: UserService,
    private readonly mailboxes: MailboxService,
    private readonly messages: MessageService,
    private readonly filters: FilterService,
    private readonly outbox?: OutboxService,
  ) {}

  async find(p: Principal, id: string): Promise<NodeRecord | null> {
    if (!isId(id)) return null;
    if (p.kind === "admin") {
      const user = await orNull(this.users.get(p, id));
      return user && { type: "User", user };
    }
    const [self, addresses, mailboxes, messages, thread, filter, entry] = await Promise.all([
      this.users.get(p),
      this.users.addresses(p),
      this.mailboxes.getMany(p, [id]),
      this.messages.getMany(p, [id]),
      orNull(this.messages.thread(p, id)),
      orNull(this.filters.get(p, id)),
      this.outbox ? orNull(this.outbox.get(p, id)) : null,
    ]);
    if (self.id === id) return { type: "User", user: self };
    const address = addresses.find((a) => a.id === id);
    if (address) return { type: "Address", address };
    if (mailboxes[0]) return { type: "Mailbox", mailbox: mailboxes[0] };
    if (messages[0]) return { type: "Message", message: messages[0] };
    if (thread) return { type: "Thread", threadId: id, messages: thread };
    if (filter) return { type: "Filter", filter };
    if (entry) return { type: "OutboxEntry", entry };
    return null;
  }
}

/** The value, or null when it was not found. */
async function orNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (err) {
    if (isDomainError(err) && err.code === "NOT_FOUND") return null;
    throw err;
  }
}
