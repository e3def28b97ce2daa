import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { AccountResolver } from "./resolvers/account.js";
import { AdminResolver } from "./resolvers/admin.js";
import { AuthLogResolver } from "./resolvers/auth-log.js";
import { DeliveryResolver, UserDeliveriesResolver } from "./resolvers/deliveries.js";
import { AutoreplyResolver } from "./resolvers/autoreply.js";
import { DkimResolver } from "./resolvers/dkim.js";
import { FilterResolver } from "./resolvers/filters.js";
import { MailboxResolver } from "./resolvers/mailboxes.js";
import { MessageResolver } from "./resolvers/messages.js";
import { NodeResolver } from "./resolvers/node.js";
import { OutboxResolver } from "./resolvers/outbox.js";
import { SendingResolver } from "./resolvers/sending.js";
import { SubscriptionResolver } from "./resolvers/subscriptions.js";

/** Builds the executable schema from the resolvers (the code is the source of schema/schema.graphql). */
export async function buildEiderSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      AccountResolver,
      AdminResolver,
      AuthLogResolver,
      DeliveryResolver,
      UserDeliveriesResolver,
      AutoreplyResolver,
      DkimResolver,
      FilterResolver,
      MailboxResolver,
      MessageResolver,
      NodeResolver,
      OutboxResolver,
      SendingResolver,
      SubscriptionResolver,
    ],
    validate: false,
    emitSchemaFile: false,
    // Every subscription has its own `subscribe` on the core's event bus; topic-based PubSub is never used,
    // but type-graphql insists on one: this one says so if anything ever calls it.
    pubSub: {
      publish() {
        throw new Error("Subscriptions ride on the core's bus; type-graphql topics are not used.");
      },
      subscribe() {
        throw new Error("Subscriptions ride on the core's bus; type-graphql topics are not used.");
      },
    },
  });
}
