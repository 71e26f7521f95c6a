import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/core/index.js';
import type { AnnualResult, QuarterlyResult, ResultDocument } from '../../src/core/result.js';

/**
 * The worked examples: every field of examples/worked-example.result.json (allocation-rules.md)
 * and of examples/assessment-example.result.json (assessment.md: the same hospital assessed)
 * must come out of the engine exactly, money to the cent and scores to the sixth decimal.
 */
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));

/** Every field the expected record has, compared one by one so a failure names the field. */
function expectFields(where: string, got: object | undefined, want: object): void {
  expect(got, `${where} is missing`).toBeDefined();
  const gotRecord = got as Record<string, unknown>;
  for (const [field, value] of Object.entries(want)) {
    if (value !== null && typeof value === 'object') {
      expectFields(`${where}.${field}`, gotRecord[field] as object | undefined, value as object);
    } else {
      expect(gotRecord[field], `${where}.${field}`).toBe(value);
    }
  }
}

for (const example of ['worked-example', 'assessment-example']) checkExample(example);

function checkExample(example: string): void {
  const expected = readJson(`${example}.result.json`) as ResultDocument;
  const actual = simulate(readJson(`${example}.scenario.json`));

  describe(`${example} (examples/${example}.*.json)`, () => {
    it('names the hospital and returns the same periods in the same order', () => {
      expect(actual.hospital).toBe(expected.hospital);
      expect(actual.results.map((r) => [r.period, r.kind])).toEqual(expected.results.map((r) => [r.period, r.kind]));
    });

    for (const [index, want] of expected.results.entries()) {
      const got = actual.results[index];

      if (want.kind === 'quarterly') {
        describe(`quarter ${want.period}`, () => {
          const gotQ = got as QuarterlyResult;

          it('summary, field by field', () => {
            expectFields(`${want.period} summary`, gotQ.summary, want.summary);
          });

          it('lists the same departments, sorted by code', () => {
            expect(gotQ.departments.map((d) => d.code)).toEqual(want.departments.map((d) => d.code));
          });

          it.each(want.departments.map((d) => [d.code, d] as const))('department %s, field by field', (code, line) => {
            expectFields(
              `${want.period} department ${code}`,
              gotQ.departments.find((d) => d.code === code),
              line,
            );
          });

          it('lists the same eligible staff, sorted by staff id', () => {
            expect(gotQ.individuals.map((i) => i.staffId)).toEqual(want.individuals.map((i) => i.staffId));
          });

          it.each(want.individuals.map((i) => [i.staffId, i] as const))('individual %s, field by field', (staffId, line) => {
            expectFields(
              `${want.period} individual ${staffId}`,
              gotQ.individuals.find((i) => i.staffId === staffId),
              line,
            );
          });

          it('warnings are the same (order ignored)', () => {
            expect([...gotQ.warnings].sort()).toEqual([...want.warnings].sort());
          });

          if (want.assessment) {
            it.each(want.assessment.departments.map((d) => [d.code, d] as const))('assessment of department %s, field by field', (code, line) => {
              expect(gotQ.assessment?.departments.map((d) => d.code)).toEqual(want.assessment!.departments.map((d) => d.code));
              expectFields(
                `${want.period} assessment ${code}`,
                gotQ.assessment!.departments.find((d) => d.code === code),
                line,
              );
            });
            it.each(want.assessment.individuals.map((i) => [i.staffId, i] as const))('assessment of staff %s, field by field', (staffId, line) => {
              expect(gotQ.assessment?.individuals.map((i) => i.staffId)).toEqual(want.assessment!.individuals.map((i) => i.staffId));
              expectFields(
                `${want.period} assessment ${staffId}`,
                gotQ.assessment!.individuals.find((i) => i.staffId === staffId),
                line,
              );
            });
          } else {
            it('has no assessment block', () => expect(gotQ.assessment).toBeUndefined());
          }
        });
      } else {
        describe(`year-end ${want.period}`, () => {
          const gotA = got as AnnualResult;

          it('summary, field by field', () => {
            expectFields(`${want.period} summary`, gotA.summary, want.summary);
          });

          it('lists the same departments, sorted by code', () => {
            expect(gotA.departments.map((d) => d.code)).toEqual(want.departments.map((d) => d.code));
          });

          it.each(want.departments.map((d) => [d.code, d] as const))('department %s, field by field', (code, line) => {
            expectFields(
              `${want.period} department ${code}`,
              gotA.departments.find((d) => d.code === code),
              line,
            );
          });

          it('lists the same (staff, department) lines, sorted by staff id then department', () => {
            const key = (i: { staffId: string; department: string }) => `${i.staffId}/${i.department}`;
            expect(gotA.individuals.map(key)).toEqual(want.individuals.map(key));
          });

          it.each(want.individuals.map((i) => [i.staffId, i.department, i] as const))('individual %s in %s, field by field', (staffId, department, line) => {
            const gotLine = gotA.individuals.find((i) => i.staffId === staffId && i.department === department);
            expectFields(`${want.period} individual ${staffId}/${department}`, gotLine, line);
          });

          it('warnings are the same (order ignored)', () => {
            expect([...gotA.warnings].sort()).toEqual([...want.warnings].sort());
          });

          if (want.assessment) {
            it('the assessment block, field by field', () => {
              expect(gotA.assessment?.departments.map((d) => d.code)).toEqual(want.assessment!.departments.map((d) => d.code));
              expect(gotA.assessment?.individuals.map((i) => i.staffId)).toEqual(want.assessment!.individuals.map((i) => i.staffId));
              expectFields(`${want.period} assessment`, gotA.assessment, want.assessment!);
            });
          } else {
            it('has no assessment block', () => expect(gotA.assessment).toBeUndefined());
          }
        });
      }
    }
  });
}
