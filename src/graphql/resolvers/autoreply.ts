import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { Autoreply, AutoreplyInput } from "../types/autoreply.js";
import { User } from "../types/objects.js";

/** The autoreply of an account: a user its own, the admin anyone's (by `userId`). */
@Resolver(() => User)
export class AutoreplyResolver {
  @FieldResolver(() => Autoreply)
  async autoreply(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<Autoreply> {
    return ctx.core.autoreplies.get(ctx.principal, user.id);
  }

  @Mutation(() => Autoreply, {
    description: "Set the account's automatic reply (the admin names the user with userId).",
  })
  async setAutoreply(
    @Arg("input", () => AutoreplyInput) input: AutoreplyInput,
    @Arg("userId", () => ID, { nullable: true }) userId: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Autoreply> {
    return ctx.core.autoreplies.set(ctx.principal, input, userId ?? undefined);
  }
}
