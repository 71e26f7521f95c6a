import { readFileSync } from 'node:fs';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  AnnualDepartmentStatementSchema,
  AnnualPersonStatementSchema,
  DepartmentStatementSchema,
  PersonStatementSchema,
  annualDepartmentStatement,
  annualPersonStatement,
  departmentStatement,
  personStatement,
  settleQuarter,
  settleYear,
  validateScenario,
  type QuarterOutcome,
  type StatementItem,
  type StatementReason,
  type YearOutcome,
} from '../../src/core/index.js';
import { reasonText } from '../../src/modules/settlements/statements.html.js';

/**
 * Every statement of the three examples, quarter and year-end: each fits its schema, each rule
 * is written in Chinese too (no English word in 计算依据), each operand is a figure, each reason
 * has its words in both languages with every placeholder filled, and the statements add up to
 * the run: Σ the departments' 合计 = the quarter's paidTotal; Σ the people's year-end totals =
 * the year-end's paidTotal.
 */
const EXAMPLES = ['worked-example', 'disputes-example', 'assessment-example'] as const;
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));

function settle(name: string): { quarters: QuarterOutcome[]; year: YearOutcome | null } {
  const v = validateScenario(readJson(`${name}.scenario.json`));
  let bank = new Map();
  const quarters = v.quarters.map((q) => {
    const o = settleQuarter(v.hospital, q, bank);
    bank = o.bankAfter;
    return o;
  });
  const year = v.annual ? { hospital: v.hospital, annual: v.annual, quarters, result: settleYear(v.hospital, v.annual, quarters) } : null;
  return { quarters, year };
}

const errorsOf = (check: ReturnType<typeof TypeCompiler.Compile>, value: unknown) => [...check.Errors(value)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
const FIGURE = /^(-?\d+(\.\d+)?|true|false|—|[a-z_]+|[A-Z][A-Z0-9-]*)?$/;

function checkItems(where: string, items: StatementItem[]): void {
  for (const i of items) {
    expect(i.ruleZh, `${where} ${i.key}`).toMatch(/[\u4e00-\u9fff]/);
    // an English word of three letters or more in the Chinese rule (min and max are the formulas' own)
    const words = (i.ruleZh.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => w !== 'min' && w !== 'max');
    expect(words, `${where} ${i.key}: ${i.ruleZh}`).toEqual([]);
    expect(i.rule.length, `${where} ${i.key}`).toBeGreaterThan(0);
    for (const o of i.operands) expect(o.value, `${where} ${i.key}.${o.key}`).toMatch(FIGURE);
  }
}

function checkReasons(where: string, reasons: StatementReason[]): void {
  for (const r of reasons) {
    for (const lang of ['zh', 'en'] as const) {
      const text = reasonText(lang, r);
      expect(text, `${where} ${r.code} ${lang}`).not.toMatch(/\{\w+\}/);
      expect(text.length, `${where} ${r.code} ${lang}`).toBeGreaterThan(5);
    }
    expect(reasonText('zh', r), `${where} ${r.code}`).toMatch(/[\u4e00-\u9fff]/);
  }
}

describe.each(EXAMPLES)('statements of the %s', (name) => {
  const { quarters, year } = settle(name);
  const person = TypeCompiler.Compile(PersonStatementSchema);
  const department = TypeCompiler.Compile(DepartmentStatementSchema);

  it('every quarter: each person and department statement fits its schema, with Chinese rules, figures as operands and reasons in words', () => {
    for (const q of quarters) {
      for (const line of q.result.individuals) {
        const s = personStatement(q, line.staffId)!;
        expect(errorsOf(person, s), `${q.period} ${line.staffId}`).toEqual([]);
        checkItems(`${q.period} ${line.staffId}`, s.items);
        checkReasons(`${q.period} ${line.staffId}`, s.reasons);
        // the fines table adds up and is applied as the line says
        expect(new Decimal(s.fines.due).minus(s.fines.applied).toFixed(2)).toBe(s.fines.notTaken);
        expect(s.fines.applied).toBe(line.finesApplied);
      }
      for (const d of q.result.departments) {
        const s = departmentStatement(q, d.code)!;
        expect(errorsOf(department, s), `${q.period} ${d.code}`).toEqual([]);
        checkItems(`${q.period} ${d.code}`, [...s.tier1, ...s.penalties]);
        checkReasons(`${q.period} ${d.code}`, s.reasons);
      }
    }
  });

  it('every quarter: Σ the departments’ 合计 is the paidTotal', () => {
    for (const q of quarters) {
      const total = q.result.departments.reduce((acc, d) => acc.plus(departmentStatement(q, d.code)!.totals.total), new Decimal(0));
      expect(total.toFixed(2), q.period).toBe(q.result.summary.paidTotal);
    }
  });

  it.runIf(year !== null)('the year-end: each person and department statement fits, and Σ the people’s totals is the paidTotal', () => {
    const y = year!;
    const annualPerson = TypeCompiler.Compile(AnnualPersonStatementSchema);
    const annualDepartment = TypeCompiler.Compile(AnnualDepartmentStatementSchema);
    let paid = new Decimal(0);
    for (const staffId of new Set([...y.result.individuals.map((l) => l.staffId), ...y.annual.failedStaff])) {
      const s = annualPersonStatement(y, staffId);
      if (!s) continue; // failed but a member of nothing this year
      expect(errorsOf(annualPerson, s), staffId).toEqual([]);
      checkItems(`${y.result.period} ${staffId}`, s.items);
      checkReasons(`${y.result.period} ${staffId}`, s.reasons);
      if (y.annual.failedStaff.has(staffId)) expect(s.reasons.map((r) => r.code)).toContain('failedAnnual');
      paid = paid.plus(s.total);
    }
    expect(paid.toFixed(2)).toBe(y.result.summary.paidTotal);
    for (const d of y.result.departments) {
      const s = annualDepartmentStatement(y, d.code)!;
      expect(errorsOf(annualDepartment, s), d.code).toEqual([]);
      checkItems(`${y.result.period} ${d.code}`, s.items);
      expect(s.totals.amount, d.code).toBe(new Decimal(s.people.length ? d.amount : 0).toFixed(2));
    }
  });
});
