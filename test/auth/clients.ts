// Clients for the login-limit tests that choose their local address (127.0.0.2 is a second loopback address on
// Linux), so that the server sees two different clients: GraphQL over node:http and Python's poplib.
import http from "node:http";
import { poplib } from "../../sidecars/pop3/test/poplib.js";
import type { GraphQLResponse } from "../harness/eider.js";

/** A GraphQL request sent from a chosen local address. */
export function gqlFrom(
  url: string,
  localAddress: string,
  query: string,
  variables: object,
): Promise<GraphQLResponse> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      { method: "POST", localAddress, headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** poplib USER/PASS attempts, round-robin over `connections` connections from `from`; each answer ("+OK" or the -ERR line). */
export function popLogins(
  port: number,
  attempts: Array<[user: string, password: string]>,
  o: { from?: string; connections?: number } = {},
): Promise<string[]> {
  return poplib<string[]>(
    { host: "127.0.0.1", port, tlsPort: null },
    `
    import socket
    attempts, source, connections = ${JSON.stringify(attempts)}, ${JSON.stringify(o.from ?? "")}, ${o.connections ?? 1}
    class FromAddress(poplib.POP3):
        def _create_socket(self, timeout):
            src = (source, 0) if source else None
            return socket.create_connection((self.host, self.port), timeout, source_address=src)
    clients = [FromAddress(host, port) for _ in range(connections)]
    out = []
    for i, (user, password) in enumerate(attempts):
        p = clients[i % connections]
        def attempt():
            p.user(user)
            p.pass_(password)
        e = err(attempt)
        out.append(e if e else "+OK")
        if not e:
            p.quit()
            clients[i % connections] = FromAddress(host, port)
    print(json.dumps(out))
  `,
  );
}
