#!/usr/bin/env node
// Runs the bundled CLI (dist/bundle: a few files instead of hundreds, see scripts/bundle-package.ts); plain JS,
// so start-up needs no TypeScript loader.
import { main } from '../dist/bundle/main.js';

// A reader that went away (`dag logs … | head`) ends the command quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
