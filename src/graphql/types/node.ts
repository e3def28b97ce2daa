import { Field, ID, InterfaceType } from "type-graphql";

/** Where `node(id)` says which object type it found (other fields return concrete types and never ask). */
export const NODE_TYPE = Symbol("nodeType");

/**
 * The Relay Node interface: every object with an id implements it, and `node(id)` refetches any of them, so a
 * normalised client cache (Apollo, urql, Relay) can refresh what it holds from the id alone.
 */
@InterfaceType({
  description: "An object with a stable id, unique across all types; refetch it with `node(id)`.",
  resolveType: (value: { [NODE_TYPE]?: string }) => value[NODE_TYPE],
})
export abstract class Node {
  @Field(() => ID) id!: string;
}
