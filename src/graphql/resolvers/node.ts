import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { NodeRecord } from "../../core/index.js";
import type { GraphQLContext } from "../context.js";
import { toMailbox, toMessage, toUser } from "../mappers.js";
import { Node, NODE_TYPE } from "../types/node.js";
import { toFilter } from "./filters.js";
import { toOutboxEntry } from "./outbox.js";

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: "Any object you may read, by its id; null when there is none (or it is not yours).",
  })
  async node(@Arg("id", () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Node | null> {
    const found = await ctx.core.nodes.find(ctx.principal, id);
    if (!found) return null;
    const node: Node & { [NODE_TYPE]?: string } = { ...toNode(found), [NODE_TYPE]: found.type };
    return node;
  }
}

function toNode(found: NodeRecord): Node {
  switch (found.type) {
    case "User":
      return toUser(found.user);
    case "Address":
      return found.address;
    case "Mailbox":
      return toMailbox(found.mailbox);
    case "Message":
      return toMessage(found.message);
    case "Thread":
      return { id: found.threadId, messages: found.messages.map(toMessage) } as Node;
    case "Filter":
      return toFilter(found.filter);
    case "OutboxEntry":
      return toOutboxEntry(found.entry);
  }
}
