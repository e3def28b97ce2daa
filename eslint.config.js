import tseslint from "typescript-eslint";

const NO_DEFAULT_EXPORT = { selector: "ExportDefaultDeclaration", message: "Use named exports." };

const DRIVERS = ["mongodb", "better-sqlite3", "ioredis"].map((name) => ({
  name,
  message: "Drivers are imported only in their adapter (src/storage/<adapter>/, src/bus/redis.ts).",
}));

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "web-client/**", "data/**", ".tools/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "no-restricted-syntax": ["error", NO_DEFAULT_EXPORT],
    },
  },
  { files: ["eslint.config.js", "vitest.config.ts"], rules: { "no-restricted-syntax": "off" } },
  {
    files: ["src/core/**", "src/mime/**"],
    rules: { "no-restricted-imports": ["error", { paths: DRIVERS }] },
  },
  {
    // The core is the only door (design.md, "Layers"): front ends call core services and use the core's model
    // types; only the core and src/main.ts (the composition root) see the store, the bus and the MIME parser.
    files: ["src/graphql/**", "src/http/**", "src/cli/**", "sidecars/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        NO_DEFAULT_EXPORT,
        {
          // A dynamic import() escapes no-restricted-imports.
          selector: "ImportExpression[source.value=/(^|\\/)(storage|bus|mime)(\\/|$)/]",
          message: "Front ends go through the core (src/core/index.ts), dynamic imports too.",
        },
        {
          // The composition root hands the adapters out for tests; a front end must not reach past the core with them.
          selector: "MemberExpression[property.name='adapters']",
          message: "Front ends go through the core's services, not the adapters the composition root made.",
        },
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: DRIVERS,
          patterns: [
            {
              group: ["**/storage", "**/storage/**", "**/bus", "**/bus/**", "**/mime", "**/mime/**"],
              message:
                "Front ends go through the core (src/core/index.ts): import its services and model types, not storage/, bus/ or mime/.",
            },
            {
              group: ["**/core/*", "!**/core/index.js"],
              message: "Import the core through its index (src/core/index.ts), not a file inside it.",
            },
          ],
        },
      ],
    },
  },
);
