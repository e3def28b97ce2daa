#!/usr/bin/env node
// The `eider` command; the TypeScript is compiled to dist/ by `npm run build` (npm start does it).
import "../dist/src/cli/main.js";
