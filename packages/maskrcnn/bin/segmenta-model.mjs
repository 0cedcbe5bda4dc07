#!/usr/bin/env node
// `npx segmenta-model …`: runs the TypeScript CLI through tsx's loader (the package ships source).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
