import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "web-client/**", "data/**", ".tools/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
      ],
    },
  },
  { files: ["eslint.config.js", "vitest.config.ts"], rules: { "no-restricted-syntax": "off" } },
  {
    files: ["src/core/**", "src/mime/**", "src/graphql/**", "sidecars/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["mongodb", "better-sqlite3", "ioredis"].map((name) => ({
            name,
            message: "Drivers are imported only in their adapter (src/storage/<adapter>/, src/bus/redis.ts).",
          })),
        },
      ],
    },
  },
);
