// The `eider` command: serve, user add|list|passwd|disable|enable|delete, dkim, admin-token, import, doctor.
// Exit status 0 on success, 1 when the command failed, 2 for a usage mistake; errors are one line, no stack.
import "reflect-metadata";
import { loadConfig } from "../config/config.js";
import { isDomainError } from "../core/index.js";
import { adminTokenCommand } from "./admin-token.js";
import {
  expectOptions,
  expectPositional,
  flag,
  option,
  parseArgs,
  UsageError,
  type ParsedArgs,
} from "./args.js";
import { dkimCommand } from "./dkim.js";
import { runDoctor } from "./doctor.js";
import { runImport } from "./import.js";
import { onlyParts, serve } from "./serve.js";
import { USAGE, usageHint, usageOf } from "./usage.js";
import { userCommand } from "./user.js";

async function main(argv: string[]): Promise<number> {
  let command: string | undefined;
  try {
    const args = parseArgs(argv);
    command = args.positional[0];
    return await run(command, args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${usageHint(command)}`);
    return 2;
  }
}

async function run(command: string | undefined, args: ParsedArgs): Promise<number> {
  // Help needs no configuration: it must work while the configuration is what is broken.
  if (command === "help") {
    console.log(usageOf(args.positional[1]));
    return 0;
  }
  if (flag(args, "help")) {
    console.log(usageOf(command));
    return 0;
  }
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const config = () => loadConfig({ file: option(args, "config") });
  switch (command) {
    case "serve":
      expectOptions(args, "serve", ["only"]);
      expectPositional(args, "serve", 1);
      return serve(config(), onlyParts(args.options.get("only")));
    case "user":
      return userCommand(config(), args);
    case "dkim":
      return dkimCommand(config(), args);
    case "admin-token":
      return adminTokenCommand(config(), args);
    case "import":
      return runImport(config(), args);
    case "doctor":
      expectOptions(args, "doctor", ["fix"]);
      expectPositional(args, "doctor", 1);
      return runDoctor(config(), flag(args, "fix"));
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      isDomainError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err),
    );
    process.exit(1);
  },
);
