import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Node } from "./node.js";

// The API's object types. Fields that need loading (counts, mailbox, body, thread) are resolved in resolvers/.

@ObjectType({ description: "A name and address from a header (From, To, Cc)." })
export class EmailAddress {
  @Field(() => String) name!: string;
  @Field(() => String) address!: string;
}

@ObjectType({ description: "An address that delivers to a user.", implements: Node })
export class Address implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "As entered (Unicode form)." }) address!: string;
  @Field(() => String, {
    description: "The look-up form: lower case, dots and +labels dropped, punycode domain.",
  })
  normalized!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ implements: Node })
export class User implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) username!: string;
  @Field(() => Boolean) disabled!: boolean;
  @Field(() => Float, { description: "Quota in bytes; 0 means unlimited." }) quotaBytes!: number;
  @Field(() => Float, { description: "Bytes used: the sum of the sizes of the user's messages." })
  storageUsed!: number;
  @Field(() => Date) createdAt!: Date;
  /** Known already when the user was just logged in (the request itself is still anonymous then). */
  state?: string;
}

@ObjectType({ implements: Node })
export class Mailbox implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: "The full path; `/` separates levels for display only." })
  path!: string;
  @Field(() => String, {
    nullable: true,
    description: "RFC 6154 role: \\Inbox, \\Drafts, \\Sent, \\Trash, \\Junk, \\Archive.",
  })
  specialUse!: string | null;
  @Field(() => Boolean) subscribed!: boolean;
  @Field(() => Float) uidValidity!: number;
  @Field(() => Float) uidNext!: number;
  @Field(() => Float) highestModseq!: number;
  userId!: string;
}

@ObjectType()
export class Attachment {
  @Field(() => String, { description: "The MIME part number (IMAP section), used in the download URL." })
  partId!: string;
  @Field(() => String, { nullable: true }) filename!: string | null;
  @Field(() => String) contentType!: string;
  @Field(() => String, { nullable: true }) disposition!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "Content-ID without angle brackets, for cid: links in the HTML.",
  })
  contentId!: string | null;
  @Field(() => Float) size!: number;
  @Field(() => Boolean, { description: "Part of a multipart/related (an inline image)." }) related!: boolean;
  @Field(() => String, { description: "Authorised GET route that streams the decoded part." })
  downloadUrl!: string;
}

@ObjectType()
export class Header {
  @Field(() => String) key!: string;
  @Field(() => String) value!: string;
}

@ObjectType({
  description:
    "What the message shows: parsed text and HTML (sanitise before display), attachments, headers.",
})
export class MessageBody {
  @Field(() => String, { nullable: true }) text!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "As sent: sanitise it before display; cid: links name attachments.",
  })
  html!: string | null;
  @Field(() => String, { nullable: true }) textAsHtml!: string | null;
  @Field(() => [Attachment]) attachments!: Attachment[];
  @Field(() => [Header]) headers!: Header[];
  @Field(() => Boolean, {
    description: "True when text or html was cut at 2 MiB; the whole message is at rawUrl.",
  })
  truncated!: boolean;
}

@ObjectType({ implements: Node })
export class Message implements Node {
  @Field(() => ID) id!: string;
  @Field(() => ID) mailboxId!: string;
  @Field(() => Float) uid!: number;
  @Field(() => Float) modseq!: number;
  @Field(() => [String]) flags!: string[];
  @Field(() => Date, { description: "When the server received it." }) internalDate!: Date;
  @Field(() => Date, { description: "The Date header (the internal date when missing)." }) sentDate!: Date;
  @Field(() => Float) size!: number;
  @Field(() => String) subject!: string;
  @Field(() => [EmailAddress]) from!: EmailAddress[];
  @Field(() => [EmailAddress]) to!: EmailAddress[];
  @Field(() => [EmailAddress]) cc!: EmailAddress[];
  @Field(() => String, { nullable: true }) messageIdHeader!: string | null;
  @Field(() => Boolean) hasAttachments!: boolean;
  @Field(() => String) preview!: string;
  @Field(() => ID) threadId!: string;
  @Field(() => String, { description: "Authorised GET route that streams the original RFC 822 bytes." })
  rawUrl!: string;
  userId!: string;
}

@ObjectType()
export class MessageEdge {
  @Field(() => Message) node!: Message;
  @Field(() => String) cursor!: string;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType({ description: "A Relay connection of messages, newest first." })
export class MessageConnection {
  @Field(() => [MessageEdge]) edges!: MessageEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({
  description:
    "A conversation: messages linked by References/In-Reply-To with the same normalised subject, across mailboxes.",
  implements: Node,
})
export class Thread implements Node {
  @Field(() => ID) id!: string;
  @Field(() => [Message]) messages!: Message[];
}

@ObjectType()
export class MailboxCountsType {
  @Field(() => ID) mailboxId!: string;
  @Field(() => Int) total!: number;
  @Field(() => Int) unseen!: number;
  @Field(() => Float) size!: number;
}

@ObjectType()
export class LoginResult {
  @Field(() => String, {
    description:
      "Send as `Authorization: Bearer <token>` (HTTP) or `authorization` in connectionParams (WebSocket).",
  })
  token!: string;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => User) user!: User;
}

@ObjectType()
export class ChangeSetType {
  @Field(() => [ID]) created!: string[];
  @Field(() => [ID]) updated!: string[];
  @Field(() => [ID]) destroyed!: string[];
}

@ObjectType({
  description:
    "What changed since a state (JMAP's /changes): fetch the created and updated ids, drop the destroyed.",
})
export class Changes {
  @Field(() => String) oldState!: string;
  @Field(() => String) newState!: string;
  @Field(() => Boolean) hasMoreChanges!: boolean;
  @Field(() => ChangeSetType) mailboxes!: ChangeSetType;
  @Field(() => ChangeSetType) messages!: ChangeSetType;
}

export enum MailboxEventKind {
  NEW = "new",
  FLAGS = "flags",
  EXPUNGED = "expunged",
  MAILBOX = "mailbox",
}
registerEnumType(MailboxEventKind, { name: "MailboxEventKind" });

@ObjectType({ description: "One change in a watched mailbox, in modseq order." })
export class MailboxChange {
  @Field(() => MailboxEventKind) type!: MailboxEventKind;
  @Field(() => ID) mailboxId!: string;
  @Field(() => ID, { nullable: true }) messageId!: string | null;
  @Field(() => Float, { nullable: true }) uid!: number | null;
  @Field(() => Float) modseq!: number;
  @Field(() => [String], { nullable: true }) flags!: string[] | null;
}

@ObjectType({ description: "New counters after a change in the account." })
export class AccountChange {
  @Field(() => String) state!: string;
  @Field(() => Float) storageUsed!: number;
  @Field(() => [MailboxCountsType]) mailboxes!: MailboxCountsType[];
}
