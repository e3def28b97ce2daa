// IDLE (RFC 2177): changes pushed as they arrive, a keep-alive at least every 2 minutes.
import type { CommandSpec } from "./context.js";

export const IDLE_COMMANDS: CommandSpec[] = [];
