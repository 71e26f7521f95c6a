import { readFileSync } from 'node:fs';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import {
  AnnualResultSchema,
  DepartmentStatementSchema,
  PeriodResultSchema,
  PersonStatementSchema,
  QuarterlyResultSchema,
  ResultDocumentSchema,
  departmentStatement,
  personStatement,
  settleQuarter,
  simulate,
  validateScenario,
} from '../../src/core/index.js';
import { plainHospital } from '../fixtures/generator.js';

/**
 * The result schemas (src/core/result.ts, statements.ts) describe what the engine produces: the
 * service builds its response schemas from them, so every document the engine makes must fit,
 * and every field must say what it is.
 */
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));
const checkDocument = TypeCompiler.Compile(ResultDocumentSchema);

function errorsOf(check: ReturnType<typeof TypeCompiler.Compile>, value: unknown): string[] {
  return [...check.Errors(value)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
}

describe('result schemas', () => {
  it.each(['worked-example', 'disputes-example'])('the %s result fits ResultDocumentSchema, and each period its own schema', (name) => {
    const doc = simulate(readJson(`${name}.scenario.json`));
    expect(errorsOf(checkDocument, doc)).toEqual([]);
    const quarterly = TypeCompiler.Compile(QuarterlyResultSchema);
    const annual = TypeCompiler.Compile(AnnualResultSchema);
    for (const r of doc.results) expect(errorsOf(r.kind === 'quarterly' ? quarterly : annual, r)).toEqual([]);
  });

  it('a generated hospital’s whole year fits', () => {
    const doc = simulate(plainHospital({ departments: 12, staff: 300, seed: 5 }));
    expect(errorsOf(checkDocument, doc)).toEqual([]);
  });

  it('statements fit their schemas', () => {
    const v = validateScenario(readJson('disputes-example.scenario.json'));
    const outcome = settleQuarter(v.hospital, v.quarters[0]!, new Map());
    const person = TypeCompiler.Compile(PersonStatementSchema);
    const department = TypeCompiler.Compile(DepartmentStatementSchema);
    for (const line of outcome.result.individuals) expect(errorsOf(person, personStatement(outcome, line.staffId))).toEqual([]);
    for (const line of outcome.result.departments) expect(errorsOf(department, departmentStatement(outcome, line.code))).toEqual([]);
  });

  it('money is refused with other than 2 decimals, scores with other than 6', () => {
    const doc = simulate(readJson('worked-example.scenario.json'));
    const q = structuredClone(doc.results[0]!) as { summary: Record<string, unknown> };
    expect(TypeCompiler.Compile(PeriodResultSchema).Check(q)).toBe(true);
    q.summary.pool = '1.5';
    expect(TypeCompiler.Compile(PeriodResultSchema).Check(q)).toBe(false);
    q.summary.pool = '1.50';
    q.summary.pointValue = '1.50';
    expect(TypeCompiler.Compile(PeriodResultSchema).Check(q)).toBe(false);
  });

  it('every property is described, and no schema carries `examples` (OpenAPI 3.0 knows only `example`)', () => {
    const undescribed: string[] = [];
    const withExamples: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      if ('examples' in schema) withExamples.push(path);
      const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [name, property] of Object.entries(properties ?? {})) {
        if (typeof property.description !== 'string' || property.description.length === 0) undescribed.push(`${path}.${name}`);
        walk(property, `${path}.${name}`);
      }
      for (const key of ['items', 'anyOf'] as const) {
        const inner = schema[key];
        for (const s of Array.isArray(inner) ? inner : inner ? [inner] : []) walk(s as Record<string, unknown>, `${path}.${key}`);
      }
    };
    for (const [name, schema] of Object.entries({ ResultDocumentSchema, PersonStatementSchema, DepartmentStatementSchema })) walk(schema, name);
    expect(undescribed).toEqual([]);
    expect(withExamples).toEqual([]);
  });
});
