import { Field, InputType, ObjectType } from "type-graphql";

@ObjectType({ description: "The account's automatic reply (vacation), sent per RFC 3834." })
export class Autoreply {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Date, { nullable: true, description: "Replies start at this time; null: at once." })
  startsAt!: Date | null;
  @Field(() => Date, { nullable: true, description: "Replies stop at this time; null: until disabled." })
  endsAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'The reply\'s subject; null: "Auto: " followed by the subject of the message answered.',
  })
  subject!: string | null;
  @Field(() => String) text!: string;
  @Field(() => String, { nullable: true, description: "An HTML alternative to the text; null: text only." })
  html!: string | null;
  @Field(() => Date, { nullable: true, description: "Null until first set." })
  updatedAt!: Date | null;
  @Field(() => Boolean, {
    description:
      "Whether this server can send replies at all. False when it has no outbound relay ([outbound] relay): replies are then logged as not sent.",
  })
  canSend!: boolean;
  @Field(() => Boolean, {
    description: "Whether mail arriving now is answered: enabled, within the dates, and canSend.",
  })
  active!: boolean;
}

@InputType({
  description:
    "The whole setting, replacing the previous one. Each sender is answered at most once a period ([autoreply] period_days); a new setting answers everyone once again.",
})
export class AutoreplyInput {
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Date, { nullable: true }) startsAt?: Date | null;
  @Field(() => Date, { nullable: true, description: "Must come after startsAt." }) endsAt?: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'One line; absent: "Auto: " and the original subject.',
  })
  subject?: string | null;
  @Field(() => String, { description: "The plain text; needed when enabled." }) text!: string;
  @Field(() => String, { nullable: true }) html?: string | null;
}
