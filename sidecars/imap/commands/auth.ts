// LOGIN and AUTHENTICATE PLAIN (with SASL-IR), through core.auth.checkPassword.
import type { CommandSpec } from "./context.js";

export const AUTH_COMMANDS: CommandSpec[] = [];
