#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx's ESM loader is registered before the first import.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// A sync streams records through memory: each lives for one page, then dies. V8's allocation-site pretenuring
// judges a site by the share of its objects still alive at a scavenge; one scavenge that falls right after another
// collection sees a whole page alive and switches the site to old-generation allocation for the rest of the process.
// From then on every record is born old, and the old generation fills with dead records up to V8's limit (about four
// times the live heap) between full collections: ~100 MB more peak RSS on a 1,000,000-record run, in about one run
// in four (bench/README.md, engine). Set before anything runs, so no site is ever switched.
setFlagsFromString('--no-allocation-site-pretenuring');

register();
await import('../src/main.ts');
