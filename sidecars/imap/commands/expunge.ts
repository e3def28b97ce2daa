// EXPUNGE and UID EXPUNGE (RFC 4315).
import type { CommandSpec } from "./context.js";

export const EXPUNGE_COMMANDS: CommandSpec[] = [];
