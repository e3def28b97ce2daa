import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The process's Prometheus metrics, served as text at /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: "eider_http_requests_total",
    help: "HTTP requests by route and status.",
    labelNames: ["route", "status"],
    registers: [this.registry],
  });
  readonly graphqlOperations = new Histogram({
    name: "eider_graphql_operation_seconds",
    help: "GraphQL operations by type and outcome.",
    labelNames: ["type", "outcome"],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly subscriptions = new Counter({
    name: "eider_graphql_subscriptions_total",
    help: "GraphQL subscriptions started.",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "eider_" });
  }
}
