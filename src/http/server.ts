import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
} from "graphql";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { ANONYMOUS, TEMPORARY_CODES, asDomainError, type Core, type Principal } from "../core/index.js";
import {
  createLoaders,
  depthLimitRule,
  formatError,
  guardOperation,
  precheckDocument,
  type GraphQLContext,
} from "../graphql/index.js";
import { bearerToken } from "./auth-header.js";
import { downloadRoutes } from "./downloads.js";
import { graphqlPrecheck } from "./graphql-precheck.js";
import { serveGraphqlWs } from "./graphql-ws.js";
import { uploadRoutes } from "./uploads.js";
import type { Metrics } from "./metrics.js";

export interface HttpServerOptions {
  host: string;
  port: number;
  maxTokens: number;
  maxDepth: number;
  /** The most one operation may cost (fields times list sizes), and the size of a list of unknown length. */
  maxCost: number;
  defaultListSize: number;
  /** Message bodies one GraphQL request may ask for. */
  maxBodiesPerRequest: number;
  /** The largest JSON body: a base64 upload of the largest message, plus room for the query. */
  maxBodyBytes: number;
  /** On close, how long requests in flight may take to finish before their connections are closed. */
  shutdownGraceMs: number;
  /** The largest raw upload (POST /upload/<mailboxId>). */
  maxMessageBytes: number;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** GraphQL over HTTP and WebSocket on one path, downloads, /health and /metrics, on one port. */
export async function startHttpServer(
  core: Core,
  schema: GraphQLSchema,
  metrics: Metrics,
  logger: Logger,
  options: HttpServerOptions,
): Promise<RunningHttpServer> {
  const app = express();
  const httpServer = http.createServer(app);
  // Upgrades are routed here rather than by `new WebSocketServer({ server })`: that form re-emits the HTTP
  // server's errors (a taken port) on the WebSocket server, where graphql-ws prints them with a stack trace.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  httpServer.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/graphql") {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit("connection", ws, req));
  });
  const validationRules = [depthLimitRule(options.maxDepth)];
  const costLimits = { maxCost: options.maxCost, defaultListSize: options.defaultListSize };
  const documentLimits = { ...costLimits, maxDepth: options.maxDepth, maxTokens: options.maxTokens };

  const principalFor = async (token: string | null): Promise<Principal> => {
    try {
      return await core.auth.principalFor(token);
    } catch (err) {
      const domain = asDomainError(err);
      if (domain) {
        const status = TEMPORARY_CODES.has(domain.code) ? 503 : 401;
        throw new GraphQLError(domain.message, { extensions: { code: domain.code, http: { status } } });
      }
      throw err;
    }
  };
  // Over HTTP the context is made before the document is parsed; it starts anonymous and the token is
  // looked up only once the operation has passed validation and the cost limit (didResolveOperation below).
  const anonymousContext = (token: string | null, clientIp: string): GraphQLContext => ({
    principal: ANONYMOUS,
    token,
    core,
    loaders: createLoaders(core, ANONYMOUS, options.maxBodiesPerRequest),
    requestId: randomUUID(),
    clientIp,
  });
  const contextFor = async (token: string | null, clientIp: string): Promise<GraphQLContext> => {
    const principal = await principalFor(token);
    return {
      ...anonymousContext(token, clientIp),
      principal,
      loaders: createLoaders(core, principal, options.maxBodiesPerRequest),
    };
  };

  const formatWs = formatError(logger);
  const wsCleanup = serveGraphqlWs(
    {
      schema,
      onSubscribe: async (ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (err) {
          return [
            err instanceof GraphQLError
              ? withCode(err, "GRAPHQL_PARSE_FAILED")
              : new GraphQLError(String(err)),
          ];
        }
        try {
          precheckDocument(schema, document, payload.operationName, payload.variables, documentLimits);
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
        }
        const errors = validate(schema, document, [...specifiedRules, ...validationRules]);
        if (errors.length > 0) return errors.map((e) => withCode(e, "GRAPHQL_VALIDATION_FAILED"));
        let contextValue: GraphQLContext;
        try {
          guardOperation(schema, document, payload.operationName, payload.variables, costLimits, "websocket");
          contextValue = await contextFor(
            bearerToken((ctx.connectionParams as Record<string, unknown> | undefined)?.authorization),
            ctx.extra.request.socket.remoteAddress ?? "",
          );
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError(String(err))];
        }
        metrics.subscriptions.inc();
        return {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue,
        } as ExecutionArgs;
      },
      // Errors on the WebSocket get the same codes and the same redaction as over HTTP.
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatWs(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatWs(e.toJSON(), e)) } : undefined,
    },
    wsServer,
    logger,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    parseOptions: { maxTokens: options.maxTokens },
    validationRules,
    formatError: formatError(logger),
    includeStacktraceInErrorResponses: false,
    // The process owns SIGTERM/SIGINT (src/cli/main.ts stops everything, then exits 0). Apollo's own handler
    // would stop only the HTTP server and then re-raise the signal, killing the process before the store closes.
    stopOnTerminationSignals: false,
    plugins: [
      // Stops accepting, closes idle connections, waits for the requests in flight up to the grace period.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownGraceMs }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      {
        async requestDidStart({ contextValue }) {
          const started = process.hrtime.bigint();
          return {
            async didResolveOperation({ schema, document, request }) {
              guardOperation(schema, document, request.operationName, request.variables, costLimits, "http");
              contextValue.principal = await principalFor(contextValue.token);
              contextValue.loaders = createLoaders(core, contextValue.principal, options.maxBodiesPerRequest);
            },
            async willSendResponse({ operation, operationName, errors }) {
              const seconds = Number(process.hrtime.bigint() - started) / 1e9;
              metrics.graphqlOperations.observe(
                { type: operation?.operation ?? "unknown", outcome: errors?.length ? "error" : "ok" },
                seconds,
              );
              const p = contextValue.principal;
              logger.info(
                {
                  requestId: contextValue.requestId,
                  userId: p.kind === "user" ? p.userId : p.kind,
                  operation: operationName ?? operation?.operation,
                  ms: Math.round(seconds * 1000),
                  errors: errors?.length ?? 0,
                  protocol: "graphql",
                },
                "graphql request",
              );
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.disable("x-powered-by");
  // While stopping, every answer closes its connection, those in flight included: a client must not send its
  // next request on a connection the server is about to drop (a POST sent into a closing socket is reset).
  let stopping = false;
  const inFlight = new Set<express.Response>();
  const closeAfterAnswer = (res: express.Response) => {
    if (!res.headersSent) res.setHeader("connection", "close");
  };
  app.use((req, res, next) => {
    if (stopping) closeAfterAnswer(res);
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    // Read the path now: a router mounted at a path (app.use("/graphql", ...)) rewrites it while it runs.
    const route = routeOf(req.path);
    res.on("finish", () => metrics.httpRequests.inc({ route, status: String(res.statusCode) }));
    // Routes hand their errors to sendError, which keeps them here: every 5xx (and every answer cut short)
    // gets a log line with its cause.
    res.on("close", () => {
      const err: unknown = res.locals.error;
      if (err !== undefined && (res.statusCode >= 500 || !res.writableFinished))
        logger.error({ err, route, status: res.statusCode, method: req.method }, "HTTP request failed");
    });
    next();
  });
  // Either the store or the bus down makes the server 503, so a load balancer sends no traffic to a process
  // that can neither store nor announce; the body says which part is down.
  app.get("/health", async (_req, res) => {
    const health = await core.health();
    if (!health.ok) logger.error({ health }, "health check failed");
    const status = (part: { ok: boolean }) => (part.ok ? "ok" : "unavailable");
    res.status(health.ok ? 200 : 503).json({
      status: status(health),
      store: { kind: health.store.kind, status: status(health.store) },
      bus: { kind: health.bus.kind, status: status(health.bus) },
    });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(downloadRoutes(core));
  app.use(uploadRoutes(core, options.maxMessageBytes, logger));
  app.use(
    "/graphql",
    express.json({ limit: options.maxBodyBytes }),
    graphqlPrecheck(schema, documentLimits),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        anonymousContext(bearerToken(req.headers.authorization), req.socket.remoteAddress ?? ""),
    }),
  );
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status === 413) {
      res.status(413).json({
        errors: [
          {
            message: `The request body is larger than ${options.maxBodyBytes} bytes.`,
            extensions: { code: "MESSAGE_TOO_LARGE" },
          },
        ],
      });
      return;
    }
    if (status === 400) {
      res.status(400).json({
        errors: [{ message: "The request body is not valid JSON.", extensions: { code: "BAD_REQUEST" } }],
      });
      return;
    }
    logger.error({ err }, "unhandled HTTP error");
    res.status(500).json({
      errors: [{ message: "Internal server error.", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://${options.host}:${port}`,
    port,
    async close() {
      stopping = true;
      inFlight.forEach(closeAfterAnswer);
      // The drain plugin cuts off what is still open when the grace period ends; say so in the log.
      const grace = setTimeout(
        () =>
          logger.warn(
            { graceMs: options.shutdownGraceMs },
            "shutdown grace period over: closing connections",
          ),
        options.shutdownGraceMs,
      );
      try {
        await apollo.stop();
      } finally {
        clearTimeout(grace);
      }
    },
  };
}

function withCode(err: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(err.message, {
    nodes: err.nodes,
    source: err.source,
    positions: err.positions,
    extensions: { ...err.extensions, code },
  });
}

function routeOf(path: string): string {
  if (path.startsWith("/download/")) return "/download";
  if (path.startsWith("/upload/")) return "/upload";
  return ["/graphql", "/health", "/metrics"].includes(path) ? path : "other";
}
