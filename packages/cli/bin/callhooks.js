#!/usr/bin/env node
// A committed entry point, so that pnpm links the `callhooks` binary on install, before dist/ is built.
import "../dist/bin.js";
