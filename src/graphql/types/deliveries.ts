import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";
import { EmailAddress, PageInfo } from "./objects.js";

// The delivery log's types: what arrived for a user, through what, and what became of it.

export enum DeliveryVia {
  LMTP = "lmtp",
  MX = "mx",
  SUBMISSION = "submission",
  IMPORT = "import",
}
registerEnumType(DeliveryVia, { name: "DeliveryVia", description: "The route a message arrived by." });

export enum DeliveryOutcome {
  STORED = "stored",
  DUPLICATE = "duplicate",
  DISCARDED = "discarded",
  REFUSED = "refused",
}
registerEnumType(DeliveryOutcome, {
  name: "DeliveryOutcome",
  valuesConfig: {
    STORED: { description: "A copy was stored (mailboxId and uid say where)." },
    DUPLICATE: {
      description:
        "Not stored again: the same Message-ID reached the mailbox within the duplicate window (mailboxId and uid name the earlier copy).",
    },
    DISCARDED: {
      description: "A filter of the user deleted it; the sender was still told it was delivered.",
    },
    REFUSED: { description: "Not stored: `status` and `detail` say why (over quota, disabled, ...)." },
  },
});

@ObjectType({ description: "A filter that matched a delivered message." })
export class MatchedFilter {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
}

@ObjectType({ description: "What the trusted spam headers said, against the user's spam level." })
export class DeliverySpamCheck {
  @Field(() => Boolean) spam!: boolean;
  @Field(() => Float, { nullable: true, description: "The score a trusted header gave, when one did." })
  score!: number | null;
  @Field(() => String, { nullable: true, description: 'The header that decided, as "Name: value".' })
  reason!: string | null;
}

@ObjectType({
  description: "One message as it reached one user: one entry per recipient user, not per address.",
})
export class Delivery {
  @Field(() => ID) id!: string;
  @Field(() => ID) userId!: string;
  @Field(() => Date) at!: Date;
  @Field(() => DeliveryVia) via!: DeliveryVia;
  @Field(() => String, { nullable: true, description: "The connecting client's IP address." })
  clientIp!: string | null;
  @Field(() => String, { nullable: true, description: "The name the client gave in HELO/LHLO." })
  clientName!: string | null;
  @Field(() => String, { description: 'The envelope sender (MAIL FROM); "" for a bounce.' })
  mailFrom!: string;
  @Field(() => [EmailAddress], { description: "The From header." }) from!: EmailAddress[];
  @Field(() => String, { description: "The user's first recipient address, as the sender gave it." })
  recipient!: string;
  @Field(() => String, { nullable: true }) messageIdHeader!: string | null;
  @Field(() => String) subject!: string;
  @Field(() => Float, { description: "Bytes as received (before trace headers)." }) size!: number;
  @Field(() => DeliveryOutcome) outcome!: DeliveryOutcome;
  @Field(() => String, {
    description:
      'The delivery status: "stored", "over-quota", "disabled", "too-large", "temporary-failure", ...',
  })
  status!: string;
  @Field(() => String, { description: "One sentence on what happened." }) detail!: string;
  @Field(() => ID, { nullable: true }) mailboxId!: string | null;
  @Field(() => Float, { nullable: true }) uid!: number | null;
  @Field(() => ID, { nullable: true, description: "The stored message (it may since have been deleted)." })
  messageId!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Where routing sent it: "inbox", "mailbox", "junk" or "discarded"; null when refused.',
  })
  verdict!: string | null;
  @Field(() => [MatchedFilter]) matchedFilters!: MatchedFilter[];
  @Field(() => DeliverySpamCheck, { nullable: true, description: "Null when the message was not judged." })
  spam!: DeliverySpamCheck | null;
}

@ObjectType()
export class DeliveryEdge {
  @Field(() => Delivery) node!: Delivery;
  @Field(() => String) cursor!: string;
}

@ObjectType({ description: "A Relay connection of delivery log entries, newest first." })
export class DeliveryConnection {
  @Field(() => [DeliveryEdge]) edges!: DeliveryEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
