#!/usr/bin/env node
// Node 20 cannot run TypeScript itself: tsx (a dependency) loads the sources directly,
// so the command works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
