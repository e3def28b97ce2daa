// The `eider` command: serve, user add|list|passwd|disable|enable|delete, doctor. Exit status 0 on success.
import "reflect-metadata";
import { loadConfig, type EiderConfig } from "../config/config.js";
import { ADMIN, isDomainError } from "../core/index.js";
import { openCore, startEider } from "../main.js";
import { option, parseArgs, type ParsedArgs } from "./args.js";
import { runDoctor } from "./doctor.js";

const USAGE = `Usage: eider <command> [--config=FILE]
  serve                                   run the API (and, later, every sidecar) in this process
  user add NAME --password P [--address A]... [--quota BYTES]
  user list | user passwd NAME --password P | user disable NAME | user enable NAME | user delete NAME
  doctor [--fix]                          check config, store, bus and blob references; --fix repairs`;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const config = loadConfig({ file: option(args, "config") });
  const [command, sub] = args.positional;
  if (!command || args.options.has("help")) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === "serve") return serve(config);
  if (command === "user") return user(config, sub, args);
  if (command === "doctor") return runDoctor(config, args.options.has("fix"));
  console.error(`Unknown command "${command}".\n${USAGE}`);
  return 2;
}

async function serve(config: EiderConfig): Promise<number> {
  const eider = await startEider(config);
  console.log(`Eider is running.
  GraphQL API (HTTP and WebSocket): ${eider.http.url}/graphql
  Health: ${eider.http.url}/health   Metrics: ${eider.http.url}/metrics
  Store: ${eider.adapters.store.kind}${config.store.mongodbUrl ? "" : ` (${config.dataDir})`}   Bus: ${config.bus.redisUrl ? "redis" : "in-process"}`);
  if (eider.adminToken.created) {
    console.log(
      `  Admin token (shown once; kept in ${config.dataDir}/admin-token): ${eider.adminToken.token}`,
    );
  }
  console.log(
    `  Create the first user: npx eider user add alice --password 'a long secret' --address alice@example.com`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      eider.logger.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await eider.stop();
  return 0;
}

async function user(config: EiderConfig, sub: string | undefined, args: ParsedArgs): Promise<number> {
  const { core } = await openCore(config);
  try {
    const name = args.positional[2];
    const needName = () => {
      if (!name) throw new Error(`"user ${sub}" needs a user name.`);
      return name;
    };
    switch (sub) {
      case "add": {
        const password = option(args, "password");
        if (!password) throw new Error("user add needs --password.");
        const quota = option(args, "quota");
        const created = await core.users.create(ADMIN, {
          username: needName(),
          password,
          addresses: args.options.get("address") ?? [],
          quotaBytes: quota ? Number(quota) : 0,
        });
        console.log(created.id);
        return 0;
      }
      case "list": {
        let after: string | undefined;
        for (;;) {
          const page = await core.users.list(ADMIN, 500, after);
          for (const u of page)
            console.log(
              `${u.id}\t${u.username}\t${u.disabled ? "disabled" : "active"}\t${u.storageUsed}/${u.quotaBytes || "unlimited"}`,
            );
          if (page.length < 500) return 0;
          after = page[page.length - 1].username;
        }
      }
      case "passwd": {
        const password = option(args, "password");
        if (!password) throw new Error("user passwd needs --password.");
        const u = await core.users.findByName(ADMIN, needName());
        await core.users.update(ADMIN, u.id, { password });
        return 0;
      }
      case "disable":
      case "enable": {
        const u = await core.users.findByName(ADMIN, needName());
        await core.users.update(ADMIN, u.id, { disabled: sub === "disable" });
        return 0;
      }
      case "delete": {
        const u = await core.users.findByName(ADMIN, needName());
        await core.users.delete(ADMIN, u.id);
        return 0;
      }
      default:
        throw new Error(`Unknown user command "${sub ?? ""}".\n${USAGE}`);
    }
  } finally {
    await core.close();
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
