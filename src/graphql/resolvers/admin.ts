import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { toUser } from "../mappers.js";
import { CreateUserInput, UpdateUserInput } from "../types/inputs.js";
import { Address, User } from "../types/objects.js";

/** Admin operations: each core call checks for the admin token itself. */
@Resolver(() => User)
export class AdminResolver {
  @Query(() => [User], { description: "Admin: users by name, a page at a time." })
  async users(
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User[]> {
    return (await ctx.core.users.list(ctx.principal, first, after ?? undefined)).map(toUser);
  }

  @Query(() => User, { description: "One user by id: the admin any, a user itself." })
  async user(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<User> {
    return toUser(await ctx.core.users.get(ctx.principal, id));
  }

  @Mutation(() => User, { description: "Admin: create a user with its special-use mailboxes and addresses." })
  async createUser(
    @Arg("input", () => CreateUserInput) input: CreateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return toUser(
      await ctx.core.users.create(ctx.principal, {
        ...input,
        addresses: input.addresses ?? undefined,
        quotaBytes: input.quotaBytes ?? undefined,
      }),
    );
  }

  @Mutation(() => User)
  async updateUser(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateUserInput) input: UpdateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return toUser(
      await ctx.core.users.update(ctx.principal, id, {
        password: input.password ?? undefined,
        disabled: input.disabled ?? undefined,
        quotaBytes: input.quotaBytes ?? undefined,
        recipientsPerDay: input.recipientsPerDay,
      }),
    );
  }

  @Mutation(() => Boolean, { description: "Admin: delete a user and everything it owns." })
  async deleteUser(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.core.users.delete(ctx.principal, id);
    return true;
  }

  @Mutation(() => Address)
  async addAddress(
    @Arg("userId", () => ID) userId: string,
    @Arg("address", () => String) address: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Address> {
    return ctx.core.users.addAddress(ctx.principal, userId, address);
  }

  @Mutation(() => Boolean)
  async removeAddress(
    @Arg("userId", () => ID) userId: string,
    @Arg("addressId", () => ID) addressId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.core.users.removeAddress(ctx.principal, userId, addressId);
    return true;
  }

  @FieldResolver(() => String, {
    description: "The account's state, for changes(sinceState) and mailboxChanged(sinceState).",
  })
  async state(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<string> {
    return user.state ?? String(await ctx.core.changes.state(ctx.principal, user.id));
  }

  @FieldResolver(() => [Address])
  async addresses(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<Address[]> {
    return ctx.core.users.addresses(ctx.principal, user.id);
  }
}
