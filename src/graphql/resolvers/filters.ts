import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import { invalidInput, type Filter as CoreFilter } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { toUser } from "../mappers.js";
import { CreateFilterInput, Filter, FilterConnection, UpdateFilterInput } from "../types/filters.js";
import { User } from "../types/objects.js";

@Resolver(() => User)
export class FilterResolver {
  @FieldResolver(() => FilterConnection, {
    description: "Your delivery filters, in the order they are applied.",
  })
  async filters(
    @Root() user: User,
    @Arg("first", () => Int, { defaultValue: 100 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<FilterConnection> {
    if (!Number.isInteger(first) || first < 1) throw invalidInput(`Page size ${first} must be at least 1.`);
    const all = await ctx.core.filters.list(ctx.principal, user.id);
    let start = 0;
    if (after) {
      const id = Buffer.from(after, "base64url").toString();
      start = all.findIndex((f) => f.id === id) + 1;
      if (start === 0)
        throw invalidInput(`Cursor "${after}" is not one this server gave out (or its filter is gone).`);
    }
    const page = all.slice(start, start + first);
    const edges = page.map((f) => ({ node: toFilter(f), cursor: Buffer.from(f.id).toString("base64url") }));
    return {
      edges,
      pageInfo: {
        hasNextPage: start + page.length < all.length,
        endCursor: edges.length ? edges[edges.length - 1].cursor : null,
      },
      totalCount: all.length,
    };
  }

  @FieldResolver(() => Float, {
    description: "The spam score from which your mail goes to Junk (yours, or the server's default).",
  })
  async spamLevel(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.core.filters.spamLevelOf(await ctx.core.users.get(ctx.principal, user.id)).level;
  }

  @FieldResolver(() => Boolean, {
    description: "True when you set no spam level and the server's default applies.",
  })
  async spamLevelIsDefault(@Root() user: User, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return ctx.core.filters.spamLevelOf(await ctx.core.users.get(ctx.principal, user.id)).isDefault;
  }

  @Mutation(() => Filter, { description: "Add a filter after your others." })
  async createFilter(
    @Arg("input", () => CreateFilterInput) input: CreateFilterInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Filter> {
    return toFilter(await ctx.core.filters.create(ctx.principal, input));
  }

  @Mutation(() => Filter)
  async updateFilter(
    @Arg("id", () => ID) id: string,
    @Arg("input", () => UpdateFilterInput) input: UpdateFilterInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Filter> {
    return toFilter(
      await ctx.core.filters.update(ctx.principal, id, {
        name: input.name ?? undefined,
        enabled: input.enabled ?? undefined,
        conditions: input.conditions ?? undefined,
        actions: input.actions ?? undefined,
      }),
    );
  }

  @Mutation(() => Boolean)
  async deleteFilter(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.core.filters.delete(ctx.principal, id);
    return true;
  }

  @Mutation(() => [Filter], {
    description: "Set the order filters are applied in: list each of your filters exactly once, first first.",
  })
  async reorderFilters(@Arg("ids", () => [ID]) ids: string[], @Ctx() ctx: GraphQLContext): Promise<Filter[]> {
    return (await ctx.core.filters.reorder(ctx.principal, ids)).map(toFilter);
  }

  @Mutation(() => User, {
    description:
      "Set the spam score from which your mail goes to Junk; null returns to the server's default.",
  })
  async setSpamLevel(
    @Arg("level", () => Float, { nullable: true }) level: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return toUser(await ctx.core.filters.setSpamLevel(ctx.principal, level ?? null));
  }
}

export function toFilter(f: CoreFilter): Filter {
  const c = f.conditions;
  const a = f.actions;
  return {
    id: f.id,
    name: f.name,
    position: f.position,
    enabled: f.enabled,
    conditions: {
      from: c.from ?? null,
      to: c.to ?? null,
      subject: c.subject ?? null,
      listId: c.listId ?? null,
      body: c.body ?? null,
      hasAttachment: c.hasAttachment ?? null,
      largerThan: c.largerThan ?? null,
      smallerThan: c.smallerThan ?? null,
      spam: c.spam ?? null,
    },
    actions: {
      markSeen: a.markSeen === true,
      flag: a.flag === true,
      delete: a.delete === true,
      markSpam: a.markSpam === true,
      moveTo: a.moveTo ?? null,
      stop: a.stop === true,
    },
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}
