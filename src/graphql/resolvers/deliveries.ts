import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { DeliveryLogPage, DeliveryRecord } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { Delivery, DeliveryConnection, DeliveryOutcome, DeliveryVia } from "../types/deliveries.js";
import { User } from "../types/objects.js";

/** The delivery log: a user reads its own (`me { deliveries }`), the admin any user's or everyone's. */
@Resolver()
export class DeliveryResolver {
  @Query(() => DeliveryConnection, {
    description:
      "The delivery log, newest first: a user its own entries; the admin everyone's, or one user's with userId.",
  })
  async deliveries(
    @Arg("userId", () => ID, { nullable: true }) userId: string | undefined,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeliveryConnection> {
    return toConnection(await list(ctx, userId ?? undefined, first, after));
  }
}

/** `User.deliveries`: the same log, for the user at hand (a user can reach only itself). */
@Resolver(() => User)
export class UserDeliveriesResolver {
  @FieldResolver(() => DeliveryConnection, { description: "What was delivered to this user, newest first." })
  async deliveries(
    @Root() user: User,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeliveryConnection> {
    return toConnection(await list(ctx, user.id, first, after));
  }
}

function list(ctx: GraphQLContext, userId: string | undefined, first: number, after?: string | null) {
  const cursor = decodeCursor(after);
  return ctx.core.deliveryLog.list(ctx.principal, {
    userId,
    first,
    after: cursor && { at: cursor.internalDate, id: cursor.id },
  });
}

function toConnection(page: DeliveryLogPage): DeliveryConnection {
  const edges = page.entries.map((e) => ({
    node: toDelivery(e),
    cursor: encodeCursor({ internalDate: e.at, id: e.id }),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasMore, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}

function toDelivery(e: DeliveryRecord): Delivery {
  return { ...e, via: e.via as DeliveryVia, outcome: e.outcome as DeliveryOutcome };
}
