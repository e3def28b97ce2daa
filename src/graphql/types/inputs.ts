import { Field, Float, ID, InputType, Int, registerEnumType } from "type-graphql";

@InputType()
export class CreateUserInput {
  @Field(() => String) username!: string;
  @Field(() => String) password!: string;
  @Field(() => [String], { nullable: true }) addresses?: string[];
  @Field(() => Float, { nullable: true, description: "Bytes; 0 or absent for unlimited." })
  quotaBytes?: number;
}

@InputType()
export class UpdateUserInput {
  @Field(() => String, { nullable: true }) password?: string;
  @Field(() => Boolean, { nullable: true }) disabled?: boolean;
  @Field(() => Float, { nullable: true }) quotaBytes?: number;
  @Field(() => Int, {
    nullable: true,
    description:
      "Recipients the user may send to per day; null: the server's [submission] recipients_per_day.",
  })
  recipientsPerDay?: number | null;
}

export enum FlagOperation {
  ADD = "add",
  REMOVE = "remove",
  SET = "set",
}
registerEnumType(FlagOperation, { name: "FlagOperation" });

export enum RawEncoding {
  BASE64 = "base64",
  UTF8 = "utf8",
}
registerEnumType(RawEncoding, { name: "RawEncoding" });

@InputType({ description: "All given conditions must hold. Text matches are case-insensitive substrings." })
export class MessageFilter {
  @Field(() => ID, { nullable: true, description: "Search one mailbox; absent: all of them." })
  mailboxId?: string;
  @Field(() => String, { nullable: true }) from?: string;
  @Field(() => String, { nullable: true }) to?: string;
  @Field(() => String, { nullable: true }) cc?: string;
  @Field(() => String, { nullable: true }) subject?: string;
  @Field(() => String, { nullable: true, description: "Body text or subject." }) text?: string;
  @Field(() => Date, { nullable: true, description: "Received at or after." }) since?: Date;
  @Field(() => Date, { nullable: true, description: "Received before." }) before?: Date;
  @Field(() => [String], { nullable: true, description: "All of these flags are set." }) flags?: string[];
  @Field(() => [String], { nullable: true, description: "None of these flags is set." }) notFlags?: string[];
  @Field(() => Float, { nullable: true }) minSize?: number;
  @Field(() => Float, { nullable: true }) maxSize?: number;
  @Field(() => Boolean, { nullable: true }) hasAttachment?: boolean;
}
