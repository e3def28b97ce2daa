// CAPABILITY, NOOP, LOGOUT, STARTTLS, ID, ENABLE, COMPRESS (any state).
import type { CommandSpec } from "./context.js";

export const GENERAL_COMMANDS: CommandSpec[] = [];
