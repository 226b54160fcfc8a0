#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx's ESM loader is registered before the first import.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
