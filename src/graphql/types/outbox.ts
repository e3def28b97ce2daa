import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Node } from "./node.js";
import { PageInfo } from "./objects.js";

// The outbound queue's types: what a user sent and what became of it at each recipient.

export enum OutboxState {
  HELD = "held",
  QUEUED = "queued",
  DEFERRED = "deferred",
  SENT = "sent",
  BOUNCED = "bounced",
  CANCELLED = "cancelled",
}
registerEnumType(OutboxState, {
  name: "OutboxState",
  description: "Where a sent message is in the outbound queue.",
  valuesConfig: {
    HELD: {
      description: "Waiting for releaseAt (undo send, scheduled sending); cancelSend returns it to Drafts.",
    },
    QUEUED: { description: "Released; its remote recipients are about to be tried." },
    DEFERRED: { description: "A recipient was refused for now; tried again at nextAttemptAt." },
    SENT: { description: "Every recipient took it (or, with some bounced, the rest did: see recipients)." },
    BOUNCED: { description: "No recipient took it; a report (DSN) went to the sender's INBOX." },
    CANCELLED: { description: "Stopped by cancelSend before it was sent." },
  },
});

export enum OutboxRecipientState {
  PENDING = "pending",
  DEFERRED = "deferred",
  SENT = "sent",
  BOUNCED = "bounced",
  CANCELLED = "cancelled",
}
registerEnumType(OutboxRecipientState, {
  name: "OutboxRecipientState",
  description: "What became of one recipient.",
});

@ObjectType({ description: "One envelope recipient of a queued message." })
export class OutboxRecipient {
  @Field(() => String) address!: string;
  @Field(() => OutboxRecipientState) state!: OutboxRecipientState;
  @Field(() => String, {
    nullable: true,
    description: 'The last answer for it ("250 2.0.0 OK", "451 4.7.1 Greylisted", a connection error).',
  })
  response!: string | null;
  @Field(() => Int) attempts!: number;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({
  description: "A message in the outbound queue (its id is the queue id sendMessage returns).",
  implements: Node,
})
export class OutboxEntry implements Node {
  @Field(() => ID) id!: string;
  @Field(() => ID) userId!: string;
  @Field(() => String, { description: 'The envelope sender (MAIL FROM); "" for a bounce.' })
  mailFrom!: string;
  @Field(() => [OutboxRecipient]) recipients!: OutboxRecipient[];
  @Field(() => OutboxState) state!: OutboxState;
  @Field(() => String) subject!: string;
  @Field(() => String, { nullable: true }) messageIdHeader!: string | null;
  @Field(() => Float, { description: "Bytes as sent (signed, once released)." }) size!: number;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { description: "When a held message is released." }) releaseAt!: Date;
  @Field(() => Date, { nullable: true, description: "When the next attempt is due (queued, deferred)." })
  nextAttemptAt!: Date | null;
  @Field(() => String, { nullable: true, description: "The last answer of the last attempt." })
  lastResponse!: string | null;
  @Field(() => ID, { nullable: true, description: "The copy in Sent, once released." }) sentCopyId!:
    string | null;
  @Field(() => ID, { nullable: true, description: "The draft it was sent from." }) draftId!: string | null;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class OutboxEdge {
  @Field(() => OutboxEntry) node!: OutboxEntry;
  @Field(() => String) cursor!: string;
}

@ObjectType({ description: "A Relay connection of outbound queue entries, newest first." })
export class OutboxConnection {
  @Field(() => [OutboxEdge]) edges!: OutboxEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
