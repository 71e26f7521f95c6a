#!/usr/bin/env node
// `npm run worker`: a compiled settlement worker (dist/worker.mjs).
import { launch } from './launch.mjs';

await launch('worker');
