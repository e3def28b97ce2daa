import { Arg, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context.js";
import { parseState, toChanges, toUser } from "../mappers.js";
import { Address, Changes, LoginResult, User } from "../types/objects.js";

@Resolver()
export class AccountResolver {
  @Mutation(() => LoginResult, { description: "Exchange a username and password for a bearer token." })
  async login(
    @Arg("username", () => String) username: string,
    @Arg("password", () => String) password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LoginResult> {
    const result = await ctx.core.auth.login(username, password, {
      ip: ctx.clientIp,
      protocol: "graphql",
    });
    const session = { kind: "user", userId: result.userId } as const;
    const [user, state] = await Promise.all([ctx.core.users.get(session), ctx.core.changes.state(session)]);
    return {
      token: result.token,
      expiresAt: result.expiresAt,
      user: { ...toUser(user), state: String(state) },
    };
  }

  @Mutation(() => Boolean, { description: "Revoke the bearer token this request carries." })
  async logout(@Ctx() ctx: GraphQLContext): Promise<boolean> {
    ctx.core.auth.assertUser(ctx.principal);
    return ctx.core.auth.logout(ctx.token ?? "");
  }

  @Mutation(() => Boolean, {
    description:
      "Change your own password. Every other session of yours ends; this token stays. Wrong guesses count against the login limit.",
  })
  async changePassword(
    @Arg("current", () => String) current: string,
    @Arg("next", () => String) next: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.core.auth.changePassword(ctx.principal, ctx.token, current, next, {
      ip: ctx.clientIp,
      protocol: "graphql",
    });
    return true;
  }

  @Query(() => User, { description: "The logged-in user." })
  async me(@Ctx() ctx: GraphQLContext): Promise<User> {
    return toUser(await ctx.core.users.get(ctx.principal));
  }

  @Query(() => [Address])
  async myAddresses(@Ctx() ctx: GraphQLContext): Promise<Address[]> {
    return ctx.core.users.addresses(ctx.principal);
  }

  @Query(() => Changes, { description: "What changed since a state; CANNOT_CALCULATE_CHANGES means reload." })
  async changes(
    @Arg("sinceState", () => String) sinceState: string,
    @Arg("maxChanges", () => Int, { nullable: true }) maxChanges: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Changes> {
    return toChanges(
      await ctx.core.changes.since(ctx.principal, parseState(sinceState), maxChanges ?? undefined),
    );
  }
}
