import type ExcelJS from 'exceljs';
import type { ScorecardInput } from '../../core/schema.js';
import type { Db } from '../../db/client.js';
import { AppError, badRequest, notFound } from '../../shared/errors.js';
import type { Principal } from '../../shared/principal.js';
import { assertSpeaksFor } from '../access/access.js';
import { findHospital } from '../hospitals/hospitals.repository.js';
import { decimalText } from '../inputs/inputs.compare.js';
import { listDepartments } from '../inputs/inputs.repository.js';
import type { WriteDeps } from '../inputs/inputs.usecases.js';
import { quarterOf, scorecardsFor, valuesIn } from './assessment.repository.js';
import { putValues } from './assessment.usecases.js';

/**
 * A cadence period as a value record spells it (assessment.md §1.3): a month (2026-04) holds the
 * monthly leaves' values, a quarter (2026Q2) the quarterly ones', a year (2026) the yearly ones'.
 */
export type Cadence = 'monthly' | 'quarterly' | 'yearly';
const PERIOD_FORMS: [Cadence, RegExp][] = [
  ['monthly', /^[0-9]{4}-(0[1-9]|1[0-2])$/],
  ['quarterly', /^[0-9]{4}Q[1-4]$/],
  ['yearly', /^[0-9]{4}$/],
];

/** The cadence whose values a period holds, or undefined when it is not a month, a quarter or a year. */
export function cadenceOf(period: string): Cadence | undefined {
  return PERIOD_FORMS.find(([, form]) => form.test(period))?.[0];
}

/** The quarter whose scorecards a period's values are checked against, as the values write does: a year's are its Q4's. */
export const inForceFor = (period: string): string => (period.length === 4 ? `${period}Q4` : quarterOf(period));

/** The template's sheet for each cadence (月度考核 / 季度考核 / 年度考核). */
export const TEMPLATE_SHEETS: Record<Cadence, string> = { monthly: '月度考核', quarterly: '季度考核', yearly: '年度考核' };
const FIRST_COLUMN = 3; // A 科室编码, B 科室名称, then one column per indicator
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

/** The period a template request names: `period=` (a month, a quarter or a year) or, as before it, `month=`. */
export function templatePeriod(query: { month?: string; period?: string }): string {
  const { month, period } = query;
  if (month !== undefined && period !== undefined && month !== period) throw badRequest('invalid_type', `querystring: period ${period} and month ${month} name different periods; give one`, 'period');
  const asked = period ?? month;
  if (asked === undefined) throw badRequest('invalid_type', "querystring: must have property 'period' (a month 2026-04, a quarter 2026Q2 or a year 2026)", 'period');
  return asked;
}

type Node = ScorecardInput['indicators'][number];
export interface EntryColumn {
  code: string;
  name: string;
  owner: string;
}
interface EntryRow {
  code: string;
  name: string;
  /** The entry's indicators that the scorecard assessing this department has. */
  leaves: Set<string>;
}

const cellRef = (sheet: string, column: number, row: number): string => {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${sheet}!${letters}${row}`;
};
const header = (c: EntryColumn): string => `${c.name}（${c.code}）`;
const codeOfHeader = (text: string): string | undefined => /[（(]\s*([^（）()\s]+)\s*[）)]\s*$/.exec(text)?.[1];

/** The leaves of a cadence with values (not `defects`) of each scorecard, in its tree's order. */
function leavesOfCadence(scorecards: ScorecardInput[], cadence: Cadence): Map<ScorecardInput, EntryColumn[]> {
  const out = new Map<ScorecardInput, EntryColumn[]>();
  for (const sc of scorecards) {
    const leaves: EntryColumn[] = [];
    const walk = (nodes: Node[]): void => {
      for (const n of nodes) {
        if (n.children) walk(n.children);
        else if (n.cadence === cadence && n.method?.type !== 'defects' && n.owner) leaves.push({ code: n.code, name: n.name, owner: n.owner });
      }
    };
    walk(sc.indicators);
    out.set(sc, leaves);
  }
  return out;
}

/**
 * What an assessor enters for a cadence period (the XLSX template and the grid page alike): the
 * columns (the period's cadence's leaves its offices own; an admin's: every one) and the rows (the
 * departments assessed by a scorecard with one of them), from the scorecards in force for the
 * period; `allLeaves` every leaf of that cadence, whoever owns it. No scorecards: no rows.
 */
export async function entryLayout(db: Db, code: string, period: string, principal: Principal | null) {
  const hospital = await findHospital(db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  const cadence = cadenceOf(period);
  if (!cadence) throw badRequest('invalid_type', `period: ${period} is not a month (2026-04), a quarter (2026Q2) or a year (2026)`, 'period');
  const version = await scorecardsFor(db, hospital.id, inForceFor(period));
  const scorecards = (version?.scorecards ?? []) as ScorecardInput[];
  const leaves = leavesOfCadence(scorecards, cadence);
  const mine = (c: EntryColumn) => principal?.role !== 'assessor' || principal.departments.includes(c.owner);
  const columns = new Map<string, EntryColumn>();
  for (const list of leaves.values()) for (const c of list) if (mine(c) && !columns.has(c.code)) columns.set(c.code, c);
  const departments = await listDepartments(db, hospital.id);
  const rows: EntryRow[] = [];
  for (const d of departments) {
    const sc =
      scorecards.find((s) => s.appliesTo.departments?.includes(d.code)) ?? scorecards.find((s) => s.appliesTo.kind === d.kind && !scorecards.some((o) => o.appliesTo.departments?.includes(d.code)));
    if (!sc) continue;
    const own = new Set(
      leaves
        .get(sc)!
        .map((c) => c.code)
        .filter((c) => columns.has(c)),
    );
    if (own.size > 0) rows.push({ code: d.code, name: d.name, leaves: own });
  }
  return { hospital, cadence, inForce: version !== null, columns: [...columns.values()], rows, allLeaves: new Map([...leaves.values()].flat().map((c) => [c.code, c])) };
}

/** The template's layout: as the grid's, but a period without scorecards in force is a 404. */
async function layout(db: Db, code: string, period: string, principal: Principal | null) {
  const entry = await entryLayout(db, code, period, principal);
  if (!entry.inForce) throw notFound(`scorecards in force for ${inForceFor(period)}`);
  return { ...entry, sheetName: TEMPLATE_SHEETS[entry.cadence] };
}

/**
 * A period's entry template (XLSX): its cadence's sheet (月度考核, 季度考核 or 年度考核), a header
 * row (科室编码, 科室名称, then each indicator as 名称（代码）), a row per department with the stored
 * values filled in; a cell whose indicator the department's scorecard lacks is grey and must stay empty.
 */
export async function templateWorkbook(deps: { db: Db; caller: { principal: Principal } }, code: string, period: string): Promise<{ buffer: Buffer; filename: string }> {
  const { hospital, columns, rows, sheetName } = await layout(deps.db, code, period, deps.caller.principal);
  const stored = new Map((await valuesIn(deps.db, hospital.id, { periods: [period] })).map((v) => [`${v.indicator}\u0000${v.department}`, v.value]));
  const { default: Excel } = await import('exceljs'); // loaded on the first workbook, not at start
  const book = new Excel.Workbook();
  const sheet = book.addWorksheet(sheetName, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  sheet.addRow(['科室编码', '科室名称', ...columns.map(header)]);
  sheet.getRow(1).font = { bold: true };
  sheet.getColumn(1).width = 12;
  sheet.getColumn(2).width = 16;
  columns.forEach((_c, k) => {
    sheet.getColumn(FIRST_COLUMN + k).width = 20;
  });
  for (const r of rows) {
    const row = sheet.addRow([r.code, r.name, ...columns.map((c) => (r.leaves.has(c.code) ? (stored.get(`${c.code}\u0000${r.code}`) ?? null) : null))]);
    columns.forEach((c, k) => {
      const cell = row.getCell(FIRST_COLUMN + k);
      if (!r.leaves.has(c.code)) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } } satisfies ExcelJS.Fill;
      else cell.numFmt = '@';
    });
  }
  return { buffer: Buffer.from(await book.xlsx.writeBuffer()), filename: `${hospital.code}-${period}-template.xlsx` };
}

/** A cell's value as decimal text, or undefined when it is not a decimal ≥ 0 (empty: null). */
function decimalOf(value: ExcelJS.CellValue): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? decimalText(String(value)) : undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    return DECIMAL.test(text) ? text : undefined;
  }
  if (typeof value === 'object' && 'result' in value) return decimalOf((value as { result?: ExcelJS.CellValue }).result ?? null);
  return undefined;
}

const textOf = (value: ExcelJS.CellValue): string =>
  (value === null || value === undefined ? '' : typeof value === 'object' && 'richText' in value ? value.richText.map((t) => t.text).join('') : String(value)).trim();
const invalid = (cell: string, message: string) => new AppError(400, 'invalid_value', `${cell}: ${message}`, cell);

/**
 * A filled template, validated whole before anything is written: the period's sheet, every header (an
 * indicator of the period's cadence; an assessor's offices must own it: 403 naming the cell),
 * every department and every value (a decimal ≥ 0), an error naming the cell
 * (`月度考核!D7: 门诊药品比例 must be a decimal such as 0.35`). Then written as the bulk values
 * write does (the engine's checks, closed periods 409, one audit event), all or nothing.
 */
export async function uploadTemplate(deps: WriteDeps, code: string, period: string, body: Buffer): Promise<{ written: number; unchanged: number }> {
  const { rows, allLeaves, cadence, sheetName } = await layout(deps.db, code, period, null);
  const cellAt = (column: number, row: number) => cellRef(sheetName, column, row);
  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  try {
    await book.xlsx.load(body as unknown as ArrayBuffer);
  } catch {
    throw new AppError(400, 'invalid_body', 'the body is not an XLSX workbook', 'body');
  }
  const sheet = book.getWorksheet(sheetName);
  if (!sheet) throw new AppError(400, 'invalid_body', `the workbook has no sheet ${sheetName}`, 'body');
  const headerRow = sheet.getRow(1);
  const columns: { index: number; column: EntryColumn }[] = [];
  for (let index = FIRST_COLUMN; index <= Math.max(sheet.columnCount, headerRow.cellCount); index++) {
    const text = textOf(headerRow.getCell(index).value);
    if (text === '') continue;
    const at = cellAt(index, 1);
    const column = allLeaves.get(codeOfHeader(text) ?? '');
    if (!column) throw invalid(at, `${text} is not a ${cadence} indicator of the scorecards in force for ${inForceFor(period)}; name it as the template does, 名称（代码）`);
    assertSpeaksFor(deps.caller.principal, [column.owner], `${at}: the column ${header(column)}`, at);
    columns.push({ index, column });
  }
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const records: { indicator: string; department: string; period: string; value: string }[] = [];
  const cells: string[] = [];
  const problems: AppError[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const department = textOf(row.getCell(1).value);
    const filled = columns.filter(({ index }) => decimalOf(row.getCell(index).value) !== null);
    if (department === '') {
      if (filled.length > 0) problems.push(invalid(cellAt(1, r), 'a row with values needs its department code'));
      continue;
    }
    const target = byCode.get(department);
    if (!target) {
      problems.push(invalid(cellAt(1, r), `${department} is not a department assessed on the template's indicators`));
      continue;
    }
    for (const { index, column } of columns) {
      const at = cellAt(index, r);
      const value = decimalOf(row.getCell(index).value);
      if (value === null) continue;
      if (value === undefined) problems.push(invalid(at, `${column.name} must be a decimal such as 0.35`));
      else if (!target.leaves.has(column.code)) problems.push(invalid(at, `${column.name} does not assess ${target.name} (${department}); leave the cell empty`));
      else {
        records.push({ indicator: column.code, department, period, value });
        cells.push(at);
      }
    }
  }
  if (problems.length > 0) {
    const [first] = problems;
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more: ${problems
            .slice(1)
            .map((p) => p.path)
            .join(', ')})`
        : '';
    throw new AppError(
      400,
      first!.code,
      `${first!.message}${more}`,
      first!.path,
      problems.map((p) => ({ path: p.path, message: p.message })),
    );
  }
  try {
    return await putValues(deps, code, records, (i) => cells[i]!);
  } catch (e) {
    if (e instanceof AppError && e.path?.startsWith(`${sheetName}!`)) {
      const cell = e.path.replace(/\..*$/, '');
      throw new AppError(e.status, e.code, e.message.startsWith(cell) ? e.message : `${cell}: ${e.message}`, cell, e.details);
    }
    throw e;
  }
}
