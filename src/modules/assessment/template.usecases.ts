import type ExcelJS from 'exceljs';
import type { ScorecardInput } from '../../core/schema.js';
import type { Db } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import type { Principal } from '../../shared/principal.js';
import { assertSpeaksFor } from '../access/access.js';
import { findHospital } from '../hospitals/hospitals.repository.js';
import { decimalText } from '../inputs/inputs.compare.js';
import { listDepartments } from '../inputs/inputs.repository.js';
import type { WriteDeps } from '../inputs/inputs.usecases.js';
import { quarterOf, scorecardsFor, valuesIn } from './assessment.repository.js';
import { putValues } from './assessment.usecases.js';

/** The sheet of the month's entry template (月度考核). */
export const TEMPLATE_SHEET = '月度考核';
const FIRST_COLUMN = 3; // A 科室编码, B 科室名称, then one column per indicator
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

type Node = ScorecardInput['indicators'][number];
interface Column {
  code: string;
  name: string;
  owner: string;
}
interface Row {
  code: string;
  name: string;
  /** The template's indicators that the scorecard assessing this department has. */
  leaves: Set<string>;
}

const cellRef = (column: number, row: number): string => {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${TEMPLATE_SHEET}!${letters}${row}`;
};
const header = (c: Column): string => `${c.name}（${c.code}）`;
const codeOfHeader = (text: string): string | undefined => /[（(]\s*([^（）()\s]+)\s*[）)]\s*$/.exec(text)?.[1];

/** The monthly leaves with values (not `defects`) of each scorecard in force for the month's quarter. */
function monthlyLeaves(scorecards: ScorecardInput[]): Map<ScorecardInput, Column[]> {
  const out = new Map<ScorecardInput, Column[]>();
  for (const sc of scorecards) {
    const leaves: Column[] = [];
    const walk = (nodes: Node[]): void => {
      for (const n of nodes) {
        if (n.children) walk(n.children);
        else if (n.cadence === 'monthly' && n.method?.type !== 'defects' && n.owner) leaves.push({ code: n.code, name: n.name, owner: n.owner });
      }
    };
    walk(sc.indicators);
    out.set(sc, leaves);
  }
  return out;
}

/**
 * The template's shape for a month: the columns (the monthly leaves an assessor's offices own;
 * an admin: every one) and the rows (the departments assessed by a scorecard with one of them).
 */
async function layout(db: Db, code: string, month: string, principal: Principal | null) {
  const hospital = await findHospital(db, code);
  if (!hospital) throw notFound(`hospital ${code}`);
  const version = await scorecardsFor(db, hospital.id, quarterOf(month));
  if (!version) throw notFound(`scorecards in force for ${quarterOf(month)}`);
  const scorecards = version.scorecards as ScorecardInput[];
  const leaves = monthlyLeaves(scorecards);
  const mine = (c: Column) => principal?.role !== 'assessor' || principal.departments.includes(c.owner);
  const columns = new Map<string, Column>();
  for (const list of leaves.values()) for (const c of list) if (mine(c) && !columns.has(c.code)) columns.set(c.code, c);
  const departments = await listDepartments(db, hospital.id);
  const rows: Row[] = [];
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
  return { hospital, columns: [...columns.values()], rows, allLeaves: new Map([...leaves.values()].flat().map((c) => [c.code, c])) };
}

/**
 * The month's entry template (XLSX): sheet 月度考核, a header row (科室编码, 科室名称, then each
 * indicator as 名称（代码）), a row per department with the stored values filled in; a cell whose
 * indicator the department's scorecard lacks is grey and must stay empty.
 */
export async function templateWorkbook(deps: { db: Db; caller: { principal: Principal } }, code: string, month: string): Promise<{ buffer: Buffer; filename: string }> {
  const { hospital, columns, rows } = await layout(deps.db, code, month, deps.caller.principal);
  const stored = new Map((await valuesIn(deps.db, hospital.id, { periods: [month] })).map((v) => [`${v.indicator}\u0000${v.department}`, v.value]));
  const { default: Excel } = await import('exceljs'); // loaded on the first workbook, not at start
  const book = new Excel.Workbook();
  const sheet = book.addWorksheet(TEMPLATE_SHEET, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
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
  return { buffer: Buffer.from(await book.xlsx.writeBuffer()), filename: `${hospital.code}-${month}-template.xlsx` };
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
 * A filled template, validated whole before anything is written: the sheet, every header (an
 * indicator of the month's template; an assessor's offices must own it: 403 naming the cell),
 * every department and every value (a decimal ≥ 0), an error naming the cell
 * (`月度考核!D7: 门诊药品比例 must be a decimal such as 0.35`). Then written as the bulk values
 * write does (the engine's checks, closed periods 409, one audit event), all or nothing.
 */
export async function uploadTemplate(deps: WriteDeps, code: string, month: string, body: Buffer): Promise<{ written: number; unchanged: number }> {
  const { rows, allLeaves } = await layout(deps.db, code, month, null);
  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  try {
    await book.xlsx.load(body as unknown as ArrayBuffer);
  } catch {
    throw new AppError(400, 'invalid_body', 'the body is not an XLSX workbook', 'body');
  }
  const sheet = book.getWorksheet(TEMPLATE_SHEET);
  if (!sheet) throw new AppError(400, 'invalid_body', `the workbook has no sheet ${TEMPLATE_SHEET}`, 'body');
  const headerRow = sheet.getRow(1);
  const columns: { index: number; column: Column }[] = [];
  for (let index = FIRST_COLUMN; index <= Math.max(sheet.columnCount, headerRow.cellCount); index++) {
    const text = textOf(headerRow.getCell(index).value);
    if (text === '') continue;
    const at = cellRef(index, 1);
    const column = allLeaves.get(codeOfHeader(text) ?? '');
    if (!column) throw invalid(at, `${text} is not a monthly indicator of the scorecards in force for ${quarterOf(month)}; name it as the template does, 名称（代码）`);
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
      if (filled.length > 0) problems.push(invalid(cellRef(1, r), 'a row with values needs its department code'));
      continue;
    }
    const target = byCode.get(department);
    if (!target) {
      problems.push(invalid(cellRef(1, r), `${department} is not a department assessed on the template's indicators`));
      continue;
    }
    for (const { index, column } of columns) {
      const at = cellRef(index, r);
      const value = decimalOf(row.getCell(index).value);
      if (value === null) continue;
      if (value === undefined) problems.push(invalid(at, `${column.name} must be a decimal such as 0.35`));
      else if (!target.leaves.has(column.code)) problems.push(invalid(at, `${column.name} does not assess ${target.name} (${department}); leave the cell empty`));
      else {
        records.push({ indicator: column.code, department, period: month, value });
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
    if (e instanceof AppError && e.path?.startsWith(`${TEMPLATE_SHEET}!`)) {
      const cell = e.path.replace(/\..*$/, '');
      throw new AppError(e.status, e.code, e.message.startsWith(cell) ? e.message : `${cell}: ${e.message}`, cell, e.details);
    }
    throw e;
  }
}
