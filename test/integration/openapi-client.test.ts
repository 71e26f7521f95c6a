import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Issue #14: the committed OpenAPI document is good enough to build a client from. It lints with
 * 0 errors (redocly, the recommended rules); every operation answers a 2xx with a schema that says
 * more than "an object"; and a TypeScript client generated from it by openapi-typescript types a
 * run's amounts as strings — a small client using it type-checks, and a line that treats an
 * amount as a number does not.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCUMENT = join(ROOT, 'openapi', 'openapi.json');
const doc = JSON.parse(readFileSync(DOCUMENT, 'utf8'));
const work = mkdtempSync(join(ROOT, 'test', '.generated-client-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

const CLIENT = `
import type { paths } from './api';

type Run = paths['/v1/settlements/{id}']['get']['responses'][200]['content']['application/json'];
type Lines = paths['/v1/settlements/{id}/lines']['get']['responses'][200]['content']['application/json'];
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

declare const run: Run;
const result = run.result;
if (result && result.kind === 'quarterly') {
  const paidTotal: string = result.summary.paidTotal;
  const paidIsString: Equals<typeof result.summary.paidTotal, string> = true;
  const totals: string[] = result.individuals.map((person) => person.total);
  const totalIsString: Equals<(typeof result.individuals)[number]['total'], string> = true;
  void [paidTotal, paidIsString, totals, totalIsString];
}
if (result && result.kind === 'annual') {
  const paidIsString: Equals<typeof result.summary.paidTotal, string> = true;
  void paidIsString;
}
declare const lines: Lines;
void lines;
`;

/** Type-checks the files with the project's TypeScript, strict; returns the diagnostics as text. */
function typeCheck(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the committed OpenAPI document, as a client sees it', () => {
  it('lints with 0 errors (redocly, recommended rules)', () => {
    // exits non-zero on any error; the warnings ignored are listed in .redocly.lint-ignore.yaml
    const out = execFileSync(process.execPath, [join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js'), 'lint', 'perfpay', '--format=summary'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    expect(out).not.toMatch(/error/i);
  }, 120_000);

  it('is OpenAPI 3.1 with servers, and every operation has an id and a 2xx answer whose schema is more than a bare object', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers?.length).toBeGreaterThan(0);
    const bare: string[] = [];
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        expect(operation.operationId, `${method} ${path}`).toBeTruthy();
        expect(ids.has(operation.operationId), `operationId ${operation.operationId} twice`).toBe(false);
        ids.add(operation.operationId);
        const ok = Object.entries<any>(operation.responses).filter(([status]) => /^2/.test(status));
        expect(ok.length, `${method} ${path} has no 2xx answer`).toBeGreaterThan(0);
        for (const [status, response] of ok) {
          if (status === '204') continue;
          for (const [type, content] of Object.entries<any>(response.content ?? {})) {
            const schema = content.schema ?? {};
            const says = schema.properties || schema.anyOf || schema.oneOf || schema.items || schema.$ref || (schema.type && schema.type !== 'object');
            if (!says) bare.push(`${method} ${path} ${status} ${type}`);
          }
        }
      }
    }
    expect(bare).toEqual([]);
  });

  it('generates a TypeScript client (openapi-typescript) that types paidTotal and each person’s total as strings', async () => {
    const api = astToString(await openapiTS(new URL(`file://${DOCUMENT}`)));
    writeFileSync(join(work, 'api.d.ts'), api);
    writeFileSync(join(work, 'client.ts'), CLIENT);
    expect(typeCheck([join(work, 'client.ts')])).toEqual([]);

    // and the check has teeth: an amount used as a number is refused
    writeFileSync(join(work, 'wrong.ts'), `${CLIENT}\ndeclare const r: Run;\nif (r.result?.kind === 'quarterly') { const n: number = r.result.summary.paidTotal; void n; }\n`);
    const wrong = typeCheck([join(work, 'wrong.ts')]);
    expect(wrong.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
  }, 120_000);
});
