/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        username\n        state\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  query Mailboxes {\n    mailboxes {\n      id\n      path\n      name\n      specialUse\n      subscribed\n      total\n      unseen\n    }\n  }\n": typeof types.MailboxesDocument,
    "\n  query MessagePage($mailboxId: ID!, $first: Int!, $after: String) {\n    mailbox(id: $mailboxId) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            subject\n            preview\n            internalDate\n            flags\n            hasAttachments\n            threadSize\n            from {\n              name\n              address\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MessagePageDocument,
    "\n  query MessageBody($id: ID!) {\n    message(id: $id) {\n      id\n      subject\n      sentDate\n      rawUrl\n      from {\n        name\n        address\n      }\n      to {\n        name\n        address\n      }\n      cc {\n        name\n        address\n      }\n      body {\n        text\n        html\n        attachments {\n          partId\n          filename\n          contentType\n          contentId\n          size\n          downloadUrl\n        }\n      }\n    }\n  }\n": typeof types.MessageBodyDocument,
    "\n  subscription MailboxChanged($mailboxId: ID!, $sinceState: String) {\n    mailboxChanged(mailboxId: $mailboxId, sinceState: $sinceState) {\n      type\n      mailboxId\n      messageId\n      uid\n      modseq\n      flags\n    }\n  }\n": typeof types.MailboxChangedDocument,
    "\n  query Changes($sinceState: String!) {\n    changes(sinceState: $sinceState) {\n      oldState\n      newState\n      hasMoreChanges\n      mailboxes {\n        created\n        updated\n        destroyed\n      }\n      messages {\n        created\n        updated\n        destroyed\n      }\n    }\n  }\n": typeof types.ChangesDocument,
};
const documents: Documents = {
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        username\n        state\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  query Mailboxes {\n    mailboxes {\n      id\n      path\n      name\n      specialUse\n      subscribed\n      total\n      unseen\n    }\n  }\n": types.MailboxesDocument,
    "\n  query MessagePage($mailboxId: ID!, $first: Int!, $after: String) {\n    mailbox(id: $mailboxId) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            subject\n            preview\n            internalDate\n            flags\n            hasAttachments\n            threadSize\n            from {\n              name\n              address\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MessagePageDocument,
    "\n  query MessageBody($id: ID!) {\n    message(id: $id) {\n      id\n      subject\n      sentDate\n      rawUrl\n      from {\n        name\n        address\n      }\n      to {\n        name\n        address\n      }\n      cc {\n        name\n        address\n      }\n      body {\n        text\n        html\n        attachments {\n          partId\n          filename\n          contentType\n          contentId\n          size\n          downloadUrl\n        }\n      }\n    }\n  }\n": types.MessageBodyDocument,
    "\n  subscription MailboxChanged($mailboxId: ID!, $sinceState: String) {\n    mailboxChanged(mailboxId: $mailboxId, sinceState: $sinceState) {\n      type\n      mailboxId\n      messageId\n      uid\n      modseq\n      flags\n    }\n  }\n": types.MailboxChangedDocument,
    "\n  query Changes($sinceState: String!) {\n    changes(sinceState: $sinceState) {\n      oldState\n      newState\n      hasMoreChanges\n      mailboxes {\n        created\n        updated\n        destroyed\n      }\n      messages {\n        created\n        updated\n        destroyed\n      }\n    }\n  }\n": types.ChangesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        username\n        state\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        username\n        state\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Mailboxes {\n    mailboxes {\n      id\n      path\n      name\n      specialUse\n      subscribed\n      total\n      unseen\n    }\n  }\n"): (typeof documents)["\n  query Mailboxes {\n    mailboxes {\n      id\n      path\n      name\n      specialUse\n      subscribed\n      total\n      unseen\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MessagePage($mailboxId: ID!, $first: Int!, $after: String) {\n    mailbox(id: $mailboxId) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            subject\n            preview\n            internalDate\n            flags\n            hasAttachments\n            threadSize\n            from {\n              name\n              address\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MessagePage($mailboxId: ID!, $first: Int!, $after: String) {\n    mailbox(id: $mailboxId) {\n      id\n      messages(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id\n            subject\n            preview\n            internalDate\n            flags\n            hasAttachments\n            threadSize\n            from {\n              name\n              address\n            }\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MessageBody($id: ID!) {\n    message(id: $id) {\n      id\n      subject\n      sentDate\n      rawUrl\n      from {\n        name\n        address\n      }\n      to {\n        name\n        address\n      }\n      cc {\n        name\n        address\n      }\n      body {\n        text\n        html\n        attachments {\n          partId\n          filename\n          contentType\n          contentId\n          size\n          downloadUrl\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MessageBody($id: ID!) {\n    message(id: $id) {\n      id\n      subject\n      sentDate\n      rawUrl\n      from {\n        name\n        address\n      }\n      to {\n        name\n        address\n      }\n      cc {\n        name\n        address\n      }\n      body {\n        text\n        html\n        attachments {\n          partId\n          filename\n          contentType\n          contentId\n          size\n          downloadUrl\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MailboxChanged($mailboxId: ID!, $sinceState: String) {\n    mailboxChanged(mailboxId: $mailboxId, sinceState: $sinceState) {\n      type\n      mailboxId\n      messageId\n      uid\n      modseq\n      flags\n    }\n  }\n"): (typeof documents)["\n  subscription MailboxChanged($mailboxId: ID!, $sinceState: String) {\n    mailboxChanged(mailboxId: $mailboxId, sinceState: $sinceState) {\n      type\n      mailboxId\n      messageId\n      uid\n      modseq\n      flags\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Changes($sinceState: String!) {\n    changes(sinceState: $sinceState) {\n      oldState\n      newState\n      hasMoreChanges\n      mailboxes {\n        created\n        updated\n        destroyed\n      }\n      messages {\n        created\n        updated\n        destroyed\n      }\n    }\n  }\n"): (typeof documents)["\n  query Changes($sinceState: String!) {\n    changes(sinceState: $sinceState) {\n      oldState\n      newState\n      hasMoreChanges\n      mailboxes {\n        created\n        updated\n        destroyed\n      }\n      messages {\n        created\n        updated\n        destroyed\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;