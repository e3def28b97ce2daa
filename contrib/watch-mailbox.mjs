// Watches one mailbox live over GraphQL subscriptions (graphql-ws) and prints each change as a JSON line.
//   TOKEN=<login token> MAILBOX=<mailbox id> node contrib/watch-mailbox.mjs [ws://127.0.0.1:8080/graphql]
// SINCE=<state> first replays what happened after that state (from `changes` or an earlier event).
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const url = process.argv[2] ?? "ws://127.0.0.1:8080/graphql";
const client = createClient({
  url,
  webSocketImpl: WebSocket, // Node 20 has no global WebSocket
  connectionParams: { authorization: `Bearer ${process.env.TOKEN}` },
});

const events = client.iterate({
  query: `subscription ($mailbox: ID!, $since: String) {
    mailboxChanged(mailboxId: $mailbox, sinceState: $since) { type messageId uid modseq flags }
  }`,
  variables: { mailbox: process.env.MAILBOX, since: process.env.SINCE ?? null },
});
try {
  for await (const event of events) {
    if (event.errors) throw new Error(event.errors.map((e) => e.message).join("; "));
    console.log(JSON.stringify(event.data.mailboxChanged));
  }
} catch (err) {
  console.error(describe(err));
  process.exitCode = 1;
} finally {
  await client.dispose();
}

/** graphql-ws ends with GraphQL errors (an array), a socket error event or a close event. */
function describe(err) {
  if (Array.isArray(err)) return err.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("\n");
  if (err?.message) return String(err.message);
  if (err?.code) return `connection closed (${err.code}${err.reason ? `: ${err.reason}` : ""})`;
  return `cannot connect to ${url}`;
}
