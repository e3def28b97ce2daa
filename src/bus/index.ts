// The bus: the port the core uses for events, counters, rate limits and locks, and its two adapters.
// Only src/main.ts constructs an adapter; everything else imports the types.
export type {
  Bus,
  BusHandler,
  BusMessage,
  Lock,
  RateLimitResult,
  SubscriptionLost,
  Unsubscribe,
} from "./ports.js";
export { BusClosedError, BusUnavailableError } from "./errors.js";
export { MemoryBus, type MemoryBusOptions } from "./memory.js";
export { RedisBus, type RedisBusOptions } from "./redis.js";
