import { writeFileSync } from "node:fs";
import path from "node:path";
import { printSchema } from "graphql";
import { buildEiderSchema } from "./schema.js";

/** `npm run schema`: writes schema/schema.graphql from the code. */
export async function printEiderSchema(): Promise<string> {
  return `${printSchema(await buildEiderSchema())}\n`;
}

if (process.argv[1] && path.basename(process.argv[1]) === "print-schema.js") {
  const target = path.resolve("schema/schema.graphql");
  writeFileSync(target, await printEiderSchema());
  console.log(`wrote ${target}`);
}
