// The operations the webmail runs; `npm run codegen` turns them into typed documents in ./gql/.
import { graphql } from "./gql";

export const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      token
      expiresAt
      user {
        id
        username
        state
      }
    }
  }
`);

export const MailboxesDocument = graphql(`
  query Mailboxes {
    mailboxes {
      id
      path
      name
      specialUse
      subscribed
      total
      unseen
    }
  }
`);

export const MessagePageDocument = graphql(`
  query MessagePage($mailboxId: ID!, $first: Int!, $after: String) {
    mailbox(id: $mailboxId) {
      id
      messages(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            subject
            preview
            internalDate
            flags
            hasAttachments
            threadSize
            from {
              name
              address
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const MessageBodyDocument = graphql(`
  query MessageBody($id: ID!) {
    message(id: $id) {
      id
      subject
      sentDate
      rawUrl
      from {
        name
        address
      }
      to {
        name
        address
      }
      cc {
        name
        address
      }
      body {
        text
        html
        attachments {
          partId
          filename
          contentType
          contentId
          size
          downloadUrl
        }
      }
    }
  }
`);

export const MailboxChangedDocument = graphql(`
  subscription MailboxChanged($mailboxId: ID!, $sinceState: String) {
    mailboxChanged(mailboxId: $mailboxId, sinceState: $sinceState) {
      type
      mailboxId
      messageId
      uid
      modseq
      flags
    }
  }
`);

export const ChangesDocument = graphql(`
  query Changes($sinceState: String!) {
    changes(sinceState: $sinceState) {
      oldState
      newState
      hasMoreChanges
      mailboxes {
        created
        updated
        destroyed
      }
      messages {
        created
        updated
        destroyed
      }
    }
  }
`);
