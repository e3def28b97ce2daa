import { normalizeSubject, parseMessage, type ParsedMessage } from "../mime/index.js";
import type { MailboxRecord, MessageRecord, Store, UserRecord } from "../storage/ports.js";
import { invalidInput, notFound } from "./errors.js";
import { messageEvent, type EventPublisher } from "./events.js";
import { normalizeFlags } from "./flags.js";
import { newId } from "./ids.js";
import type { MessageMeta } from "./model.js";
import { assertMessageSize, assertQuotaRoom, quotaChecked } from "./admission.js";

export interface IngestArgs {
  userId: string;
  mailboxId: string;
  raw: Buffer;
  flags?: string[];
  internalDate?: Date;
}

export interface IngestOptions {
  /** The largest message accepted, in bytes. */
  maxMessageBytes: number;
}

/**
 * The one way a message enters a mailbox: GraphQL upload, IMAP APPEND and LMTP delivery all call it.
 * Parse once, store the blobs, thread it, append it (one logical change), then publish the events.
 * The caller has already checked that the principal may write to `userId`.
 */
export class IngestService {
  constructor(
    private readonly store: Store,
    private readonly events: EventPublisher,
    private readonly options: IngestOptions,
  ) {}

  async ingest(args: IngestArgs): Promise<MessageRecord> {
    const { raw, ...target } = args;
    return this.ingestParsed(target, await this.parse(raw));
  }

  /**
   * Checks the size and parses once; delivery to several users stores the one result for each. `traceBytes`:
   * how many leading bytes are trace lines the server prepended, which do not count against the limit (a
   * message the sender kept within the announced SIZE is not refused for our own Received line).
   */
  async parse(raw: Buffer, traceBytes = 0): Promise<ParsedMessage> {
    // Every route (upload, APPEND, LMTP) comes through here, so an empty message is refused the same everywhere.
    if (raw.length === 0) throw invalidInput("The message is empty (0 bytes); there is nothing to store.");
    assertMessageSize(raw.length - traceBytes, this.options.maxMessageBytes);
    return parseMessage(raw, { maxSize: this.options.maxMessageBytes + traceBytes });
  }

  /**
   * Stores a message parsed by `parse` into one mailbox of one user. `known`: the user and mailbox records the
   * caller has just read for this same store (a delivery resolves them first), so they are not read again; the
   * store's own quota reservation stays the check that counts.
   */
  async ingestParsed(
    args: Omit<IngestArgs, "raw">,
    parsed: ParsedMessage,
    known?: { user: UserRecord; mailbox: MailboxRecord },
  ): Promise<MessageRecord> {
    const { store } = this;
    const flags = normalizeFlags(args.flags ?? []);
    const user = known?.user.id === args.userId ? known.user : await store.users.get(args.userId);
    if (!user) throw notFound("User", args.userId);
    const mailbox =
      known?.mailbox.id === args.mailboxId && known.mailbox.userId === args.userId
        ? known.mailbox
        : await store.mailboxes.get(args.userId, args.mailboxId);
    if (!mailbox) throw notFound("Mailbox", args.mailboxId);
    assertQuotaRoom(user, parsed.size);
    for (const blob of parsed.blobs) await store.blobs.put(blob.hash, blob.data);
    const internalDate = args.internalDate ?? new Date();
    const message = await quotaChecked(
      store.messages.append({
        id: newId(),
        userId: args.userId,
        mailboxId: mailbox.id,
        flags,
        internalDate,
        sentDate: validDate(parsed.headers.date) ?? internalDate,
        size: parsed.size,
        threadId: newId(),
        thread: threadKeys(parsed),
        subject: parsed.headers.subject,
        from: parsed.headers.from,
        to: parsed.headers.to,
        cc: parsed.headers.cc,
        bcc: parsed.headers.bcc,
        messageIdHeader: parsed.headers.messageId,
        hasAttachments: parsed.hasAttachments,
        preview: parsed.preview,
        searchText: parsed.searchText.toLowerCase(),
        searchHeaders: parsed.searchHeaders,
        sentDay: parsed.sentDay,
        content: {
          segments: parsed.segments,
          meta: {
            imap: parsed.imap,
            attachments: parsed.attachments,
            body: parsed.body,
            headers: {
              replyTo: parsed.headers.replyTo,
              inReplyTo: parsed.headers.inReplyTo,
              references: parsed.headers.references,
            },
          } satisfies MessageMeta,
        },
        blobRefs: parsed.segments.flatMap((s) => (s.kind === "blob" ? [s.hash] : [])),
      }),
    );
    await this.events.changed(message.userId, [messageEvent("exists", message.userId, message)]);
    return message;
  }
}

/**
 * Gmail-like threading: a message joins the thread of any message it references (or that references it)
 * with the same normalised subject; the store resolves it in the same change as the append.
 */
function threadKeys(parsed: ParsedMessage): { refs: string[]; subjectKey: string } {
  const refs = [
    ...new Set(
      [...parsed.headers.references, parsed.headers.inReplyTo, parsed.headers.messageId].filter(
        (r): r is string => !!r,
      ),
    ),
  ];
  return { refs, subjectKey: normalizeSubject(parsed.headers.subject) };
}

function validDate(d: Date | null): Date | null {
  return d && !Number.isNaN(d.getTime()) ? d : null;
}
