#!/usr/bin/env node
// `npm start`: the compiled API and its settlement jobs (dist/server.mjs).
import { launch } from './launch.mjs';

await launch('server');
