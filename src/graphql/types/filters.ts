import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { Node } from "./node.js";
import { PageInfo } from "./objects.js";

// Delivery filters: what a user's incoming mail is checked for, and what happens to what matches.

const TEXT = "Case-insensitive substring of the decoded value.";

@ObjectType({ description: "All given conditions must hold; none given matches every message." })
export class FilterConditions {
  @Field(() => String, { nullable: true, description: `From (names and addresses). ${TEXT}` }) from!:
    string | null;
  @Field(() => String, { nullable: true, description: `To and Cc (names and addresses). ${TEXT}` }) to!:
    string | null;
  @Field(() => String, { nullable: true, description: TEXT }) subject!: string | null;
  @Field(() => String, { nullable: true, description: `List-Id (RFC 2919). ${TEXT}` }) listId!: string | null;
  @Field(() => String, { nullable: true, description: `The message's readable text. ${TEXT}` }) body!:
    string | null;
  @Field(() => Boolean, { nullable: true }) hasAttachment!: boolean | null;
  @Field(() => Float, { nullable: true, description: "Bytes: the message is larger than this." })
  largerThan!: number | null;
  @Field(() => Float, { nullable: true, description: "Bytes: the message is smaller than this." })
  smallerThan!: number | null;
  @Field(() => Boolean, {
    nullable: true,
    description: "The spam verdict (trusted spam headers against your spam level): true = judged spam.",
  })
  spam!: boolean | null;
}

@ObjectType({
  description:
    "What a matching filter does. Flags add up over all matching filters; the first filter that deletes, marks as spam or moves decides where the message goes.",
})
export class FilterActions {
  @Field(() => Boolean) markSeen!: boolean;
  @Field(() => Boolean) flag!: boolean;
  @Field(() => Boolean, { description: "Store nothing (the sender is still told it was delivered)." })
  delete!: boolean;
  @Field(() => Boolean, { description: "Into your Junk mailbox." }) markSpam!: boolean;
  @Field(() => ID, {
    nullable: true,
    description:
      "The mailbox to move to. Spam goes to Junk even so, unless this filter's conditions ask for spam: true.",
  })
  moveTo!: string | null;
  @Field(() => Boolean, { description: "Apply no later filter." }) stop!: boolean;
}

@ObjectType({
  implements: Node,
  description: "A delivery filter, applied to incoming mail in position order.",
})
export class Filter implements Node {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Int, { description: "0 is applied first." }) position!: number;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => FilterConditions) conditions!: FilterConditions;
  @Field(() => FilterActions) actions!: FilterActions;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class FilterEdge {
  @Field(() => Filter) node!: Filter;
  @Field(() => String) cursor!: string;
}

@ObjectType({ description: "A Relay connection of filters, in the order they are applied." })
export class FilterConnection {
  @Field(() => [FilterEdge]) edges!: FilterEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@InputType({ description: "All given conditions must hold; text ones are case-insensitive substrings." })
export class FilterConditionsInput {
  @Field(() => String, { nullable: true }) from?: string;
  @Field(() => String, { nullable: true, description: "To or Cc." }) to?: string;
  @Field(() => String, { nullable: true }) subject?: string;
  @Field(() => String, { nullable: true }) listId?: string;
  @Field(() => String, { nullable: true }) body?: string;
  @Field(() => Boolean, { nullable: true }) hasAttachment?: boolean;
  @Field(() => Float, { nullable: true }) largerThan?: number;
  @Field(() => Float, { nullable: true }) smallerThan?: number;
  @Field(() => Boolean, { nullable: true }) spam?: boolean;
}

@InputType({ description: "At least one action; at most one of delete, markSpam and moveTo." })
export class FilterActionsInput {
  @Field(() => Boolean, { nullable: true }) markSeen?: boolean;
  @Field(() => Boolean, { nullable: true }) flag?: boolean;
  @Field(() => Boolean, { nullable: true }) delete?: boolean;
  @Field(() => Boolean, { nullable: true }) markSpam?: boolean;
  @Field(() => ID, { nullable: true, description: "One of your mailboxes." }) moveTo?: string;
  @Field(() => Boolean, { nullable: true }) stop?: boolean;
}

@InputType()
export class CreateFilterInput {
  @Field(() => String) name!: string;
  @Field(() => Boolean, { nullable: true, description: "Default true." }) enabled?: boolean;
  @Field(() => FilterConditionsInput) conditions!: FilterConditionsInput;
  @Field(() => FilterActionsInput) actions!: FilterActionsInput;
}

@InputType({ description: "What to change; conditions and actions, when given, replace the old ones whole." })
export class UpdateFilterInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean;
  @Field(() => FilterConditionsInput, { nullable: true }) conditions?: FilterConditionsInput;
  @Field(() => FilterActionsInput, { nullable: true }) actions?: FilterActionsInput;
}
