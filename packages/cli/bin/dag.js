#!/usr/bin/env node
// Runs the compiled CLI; the CLI itself is plain JS so start-up needs no TypeScript loader.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
