#!/usr/bin/env node
// Launcher: everything lives in the bundled dist/cli/main.js (npm run build).
import { run } from '../dist/cli/main.js';

await run();
