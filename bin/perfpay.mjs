#!/usr/bin/env node
// `perfpay`: the compiled command line (dist/cli.mjs, built by `npm install`).
import { launch } from './launch.mjs';

await launch('cli');
