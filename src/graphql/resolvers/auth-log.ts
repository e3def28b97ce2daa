import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { AuthLogPage } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { AuthAttemptConnection, type AuthAttempt } from "../types/auth-log.js";
import { User } from "../types/objects.js";

/** The auth log: a user reads its own attempts (on `me`, or `authLog`), the admin anybody's. */
@Resolver(() => User)
export class AuthLogResolver {
  @Query(() => AuthAttemptConnection, {
    description:
      "Password checks, newest first: a user sees its own; the admin sees all, or one user's, or one address's.",
  })
  async authLog(
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Arg("userId", () => ID, { nullable: true }) userId: string | undefined,
    @Arg("ip", () => String, { nullable: true }) ip: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthAttemptConnection> {
    return toConnection(
      await ctx.core.authLog.list(
        ctx.principal,
        { userId: userId ?? undefined, ip: ip ?? undefined },
        { first, after: fromCursor(after) },
      ),
    );
  }

  @FieldResolver(() => AuthAttemptConnection, {
    name: "authLog",
    description: "This account's password checks, newest first (the user itself or the admin).",
  })
  async userAuthLog(
    @Root() user: User,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthAttemptConnection> {
    return toConnection(
      await ctx.core.authLog.list(ctx.principal, { userId: user.id }, { first, after: fromCursor(after) }),
    );
  }
}

function fromCursor(after: string | undefined | null) {
  const c = decodeCursor(after);
  return c && { at: c.internalDate, id: c.id };
}

function toConnection(page: AuthLogPage): AuthAttemptConnection {
  const edges = page.entries.map((e) => ({
    node: e as unknown as AuthAttempt,
    cursor: encodeCursor({ internalDate: e.at, id: e.id }),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasMore, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}
