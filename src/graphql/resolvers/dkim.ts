import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { DkimKey as CoreDkimKey } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { CreateDkimKeyInput, DkimKey, type DkimAlgorithm } from "../types/dkim.js";

/** Admin: DKIM keys per sending domain; the core checks for the admin token. */
@Resolver(() => DkimKey)
export class DkimResolver {
  @Query(() => [DkimKey], { description: "Admin: every domain's DKIM key, by domain." })
  async dkimKeys(@Ctx() ctx: GraphQLContext): Promise<DkimKey[]> {
    return (await ctx.core.dkim.list(ctx.principal)).map(toDkimKey);
  }

  @Query(() => DkimKey, { description: "Admin: a domain's DKIM key (NOT_FOUND when it has none)." })
  async dkimKey(@Arg("domain", () => String) domain: string, @Ctx() ctx: GraphQLContext): Promise<DkimKey> {
    return toDkimKey(await ctx.core.dkim.get(ctx.principal, domain));
  }

  @Mutation(() => DkimKey, {
    description: "Admin: generate or import a domain's DKIM key; publish its DNS record.",
  })
  async createDkimKey(
    @Arg("input", () => CreateDkimKeyInput) input: CreateDkimKeyInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DkimKey> {
    return toDkimKey(
      await ctx.core.dkim.create(ctx.principal, {
        domain: input.domain,
        selector: input.selector,
        privateKeyPem: input.privateKeyPem ?? undefined,
        algorithm: input.algorithm ?? undefined,
        replace: input.replace ?? undefined,
      }),
    );
  }

  @Mutation(() => Boolean, {
    description: "Admin: delete a domain's DKIM key (its mail goes unsigned); false when it had none.",
  })
  async deleteDkimKey(
    @Arg("domain", () => String) domain: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.core.dkim.delete(ctx.principal, domain);
  }
}

function toDkimKey(key: CoreDkimKey): DkimKey {
  return { ...key, algorithm: key.algorithm as DkimAlgorithm };
}
