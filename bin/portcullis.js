#!/usr/bin/env node
// The portcullis CLI. All wiring is in src/cli/main.ts (built into lib/ by `npm run build`).
import { main } from '../lib/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
