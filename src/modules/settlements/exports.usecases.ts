import type ExcelJS from 'exceljs';
import { AnnualSummarySchema, Dec, formatMoney, QuarterlySummarySchema, type AnnualResult, type QuarterlyResult } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { actorName, DEFAULT_TIME_ZONE, groupDigits, localTime, named, periodName, say, type Lang } from '../../shared/i18n.js';
import { messages, type MessageKey } from '../../shared/messages/index.js';
import type { Caller } from '../../shared/principal.js';
import { readableDepartments, readsWholeHospital } from '../access/access.js';
import { findHospitalById } from '../hospitals/hospitals.repository.js';
import { columnLabel, type HeaderLanguage } from './columns.js';
import { csvText } from './lines.usecases.js';
import { notApproved, resultNotFound } from './settlements.errors.js';
import { runWithResult } from './settlements.usecases.js';

type Deps = { db: Db; caller: Caller };

const MONEY_FORMAT = '#,##0.00';
const SCORE_FORMAT = '0.000000';
const MONEY_FIELDS = new Set([
  'revenue',
  'pool',
  'reserve',
  'adjustment',
  'distributable',
  'leaderBonusTotal',
  'tier1Pool',
  'penaltiesRetained',
  'bankDeposits',
  'bankDraws',
  'floorSubsidies',
  'departmentsFinal',
  'tier2Total',
  'studyLeavePay',
  'finesRetained',
  'unallocated',
  'paidTotal',
  'gross',
  'penaltyTotal',
  'net',
  'cap',
  'bankDeposit',
  'bankDraw',
  'floorSubsidy',
  'final',
  'bankBalanceAfter',
  'tier2Pay',
  'leaderBonus',
  'finesApplied',
  'total',
  'fund',
  'bankExpired',
  'amount',
  'costQuota',
  'outpatientFee',
  'inpatientFee',
  'drugRatio',
  'inventoryLoss',
  'riskAward',
  'riskAwardTotal',
  'disputeFines',
  'yearEndAmount',
  'payable',
]);
/** Fields that are words or codes, never numbers, even when they look like one (a staff id 0012). */
const TEXT_FIELDS = new Set(['staffId', 'code', 'department', 'departmentName', 'name', 'kind', 'period']);
/** Money that does not add up across rows (each department's own cap). */
const NOT_SUMMED = new Set(['cap']);
const summed = (key: string) => (MONEY_FIELDS.has(key) && !NOT_SUMMED.has(key)) || key === 'headcount';

/**
 * The most significant digits a spreadsheet cell holds as a number: Excel and LibreOffice keep
 * 15, so a longer decimal would be shown changed (…927.68 as …927.69).
 */
export const EXACT_CELL_DIGITS = 15;

const significantDigits = (text: string) => text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length;

/**
 * A cell value: money and scores as numbers with their format (the spreadsheet sums them) when the
 * number holds the decimal exactly; a longer one as its exact text, right-aligned, so that no
 * amount the store can hold is shown changed. Text as text.
 */
export function cell(key: string, value: unknown): { value: string | number | null; format?: string; exactText?: boolean } {
  if (value === null || value === undefined) return { value: null };
  if (typeof value === 'number') return { value };
  const text = String(value);
  if (/^-?\d+(\.\d+)?$/.test(text) && !TEXT_FIELDS.has(key)) {
    if (significantDigits(text) > EXACT_CELL_DIGITS) return { value: text, exactText: true };
    return { value: Number(text), format: MONEY_FIELDS.has(key) ? MONEY_FORMAT : SCORE_FORMAT };
  }
  return { value: text };
}

function setCell(target: ExcelJS.Cell, key: string, value: unknown): void {
  const c = cell(key, value);
  target.value = c.value;
  if (c.format) target.numFmt = c.format;
  if (c.exactText) target.alignment = { horizontal: 'right' };
}

/** How wide a text shows, in the spreadsheet's character widths (a Chinese character is two). */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ch.codePointAt(0)! >= 0x2e80 ? 2 : 1;
  return width;
}

/** The text a cell shows (money with separators), for the column's width. */
function shownText(key: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return MONEY_FIELDS.has(key) ? groupDigits(text) : text;
}

/** What every sheet's printed page carries: the hospital, the period, the run's status and id. */
interface Frame {
  lang: Lang;
  hospital: string;
  period: string;
  status: string;
  runId: string;
}

const THIN = { style: 'thin' as const };
const BOLD: Partial<ExcelJS.Font> = { name: 'Calibri', size: 11, bold: true };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF4' } };
/** In a page header or footer `&` starts a code: a literal one is doubled. */
const printable = (text: string) => text.replace(/&/g, '&&');
const colon = (lang: Lang) => (lang === 'zh' ? '：' : ': ');

/**
 * A4 print setup: landscape (or portrait), fit to one page wide and as many tall as it takes, the
 * header row repeated on every page, gridlines printed, centred; the page header names the
 * hospital, the sheet and the period, the footer the status, the page and the run.
 */
function printSetup(sheet: ExcelJS.Worksheet, frame: Frame, title: string, orientation: 'landscape' | 'portrait', lastColumn: number): void {
  sheet.pageSetup = {
    paperSize: 9,
    orientation,
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    horizontalCentered: true,
    showGridLines: true,
    margins: { left: 0.4, right: 0.4, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 },
    printTitlesRow: '1:1',
    printArea: `A1:${sheet.getColumn(lastColumn).letter}${sheet.rowCount}`,
  };
  const { lang } = frame;
  sheet.headerFooter = {
    oddHeader: `&L${printable(frame.hospital)}&C&"-,Bold"&12${printable(title)}&R${printable(frame.period)}`,
    oddFooter: `&L${printable(`${say(lang, 'word.status')}${colon(lang)}${frame.status}`)}&C${say(lang, 'wb.print.page')}&R${printable(`${say(lang, 'wb.runId')}${colon(lang)}${frame.runId}`)}`,
  };
}

interface Table {
  name: string;
  title: string;
  keys: string[];
  rows: Record<string, unknown>[];
}

/**
 * A table sheet: the header row (bold, frozen, filtered, repeated on every printed page), a row per
 * line, and a 合计 row adding up each money column and the headcount (exactly, in decimal: the
 * total of the people's 实发合计 is the run's paidTotal); columns as wide as their names and
 * figures.
 */
function addTable(book: ExcelJS.Workbook, frame: Frame, table: Table): ExcelJS.Worksheet {
  const { lang } = frame;
  const { keys, rows } = table;
  const sheet = book.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  const labels = keys.map((k) => columnLabel(k, lang));
  const header = sheet.addRow(labels);
  header.height = 32;
  header.eachCell((c) => {
    c.font = BOLD;
    c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    c.fill = HEADER_FILL;
    c.border = { top: THIN, bottom: THIN, left: THIN, right: THIN };
  });
  // a header wraps onto two lines, but an English word is never cut
  const widths = labels.map((l) =>
    Math.min(
      displayWidth(l),
      Math.max(
        Math.ceil(displayWidth(l) / 2) + 2,
        ...l
          .split(/\s+/)
          .filter((w) => /[A-Za-z]/.test(w))
          .map(displayWidth),
      ),
    ),
  );
  const sums = new Map<string, InstanceType<typeof Dec>>();
  for (const row of rows) {
    const added = sheet.addRow([]);
    for (const [i, k] of keys.entries()) {
      const value = k === 'kind' && (row[k] === 'clinical' || row[k] === 'admin') ? say(lang, `wb.deptKind.${row[k]}`) : row[k];
      setCell(added.getCell(i + 1), k, value);
      widths[i] = Math.max(widths[i]!, displayWidth(shownText(k, value)));
      if (summed(k) && value !== null && value !== undefined) sums.set(k, (sums.get(k) ?? new Dec(0)).plus(String(value)));
    }
  }
  const total = sheet.addRow([say(lang, 'word.total')]);
  for (const [i, k] of keys.entries()) {
    if (i === 0 || !summed(k)) continue;
    const sum = sums.get(k) ?? new Dec(0);
    const text = k === 'headcount' ? sum.toFixed(0) : formatMoney(sum);
    setCell(total.getCell(i + 1), k, k === 'headcount' ? Number(text) : text);
    widths[i] = Math.max(widths[i]!, displayWidth(shownText(k, text)));
  }
  for (let i = 1; i <= keys.length; i++) {
    const c = total.getCell(i);
    c.font = BOLD;
    c.border = { top: THIN, bottom: { style: 'double' } };
  }
  // at least 10: exceljs leaves out a column of width 9 (its default), which a spreadsheet then shows narrower
  for (const [i, w] of widths.entries()) sheet.getColumn(i + 1).width = Math.min(40, Math.max(10, w + 2));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, rows.length + 1), column: keys.length } };
  printSetup(sheet, frame, table.title, 'landscape', keys.length);
  return sheet;
}

/** A sheet name Excel accepts (at most 31 characters, none of : \ / ? * [ ]), unique in the book. */
function sheetName(book: ExcelJS.Workbook, wanted: string, code: string): string {
  const clean = (s: string) =>
    s
      .replace(/[:\\/?*[\]]/g, '_')
      .replace(/^'+|'+$/g, '')
      .slice(0, 31);
  const taken = (s: string) => s === '' || book.worksheets.some((w) => w.name.toLowerCase() === s.toLowerCase());
  for (const candidate of [clean(wanted), clean(`${wanted}（${code}）`), clean(code)]) if (!taken(candidate)) return candidate;
  for (let n = 2; ; n++) if (!taken(clean(`${code}-${n}`))) return clean(`${code}-${n}`);
}

export interface WorkbookInput {
  /** The hospital's code. */
  hospital: string;
  /** The hospital's name in words (the code when it has none). */
  hospitalName?: string;
  run: { id: string; period: string; status: string; finishedAt: Date | null; approvedBy?: string | null; approvedAt?: Date | null; approvalOverrideReason?: string | null };
  result: QuarterlyResult | AnnualResult;
  /** The hospital's figures (the summary) are shown to a reader of the whole run only. */
  withSummary: boolean;
  mine: (department: string) => boolean;
  /** The workbook's language: Chinese unless English is asked for. */
  lang?: Lang;
  /** The time zone of the times shown (the hospital's). */
  timeZone?: string;
}

const statusWord = (lang: Lang, status: string) => (`status.${status}` in messages ? say(lang, `status.${status}` as MessageKey) : status);

/**
 * The run as a workbook a finance office uses as it is: 汇总 (the hospital, the period and the
 * status in words, then every summary item by its Chinese name), 科室 (each department by name
 * and code), 个人 (each person by name and staff id, with their department's name and code) and
 * one sheet per department of its people, each table with a 合计 row. Money is `#,##0.00` and
 * scores `0.000000` numbers (exact text where a number would not hold the decimal); every sheet
 * prints on A4, landscape, one page wide, its header row repeated. English with `lang: 'en'`.
 */
export async function buildWorkbook(input: WorkbookInput): Promise<Buffer> {
  const { result, mine } = input;
  const { default: Excel } = await import('exceljs'); // loaded on the first workbook, not at start
  const lang = input.lang ?? 'zh';
  const zone = input.timeZone ?? DEFAULT_TIME_ZONE;
  const hospitalName = input.hospitalName || input.hospital;
  const period = periodName(input.run.period, lang);
  const status = statusWord(lang, input.run.status);
  const frame: Frame = { lang, hospital: named(hospitalName, input.hospital, lang), period, status, runId: input.run.id.slice(0, 8) };
  const book = new Excel.Workbook();
  book.creator = 'perfpay';
  book.created = input.run.finishedAt ?? new Date(0);
  book.title = `${hospitalName} ${period} ${say(lang, `kind.${result.kind}`)}`;

  const summary = book.addWorksheet(say(lang, 'wb.sheet.summary'), { views: [{ state: 'frozen', ySplit: 1 }] });
  const head = summary.addRow([say(lang, 'wb.item'), say(lang, 'wb.value')]);
  head.eachCell((c) => {
    c.font = BOLD;
    c.fill = HEADER_FILL;
    c.alignment = { horizontal: 'center' };
  });
  const facts: [string, string][] = [
    [say(lang, 'word.hospital'), frame.hospital],
    [say(lang, 'word.period'), period],
    [say(lang, 'wb.kind'), say(lang, `kind.${result.kind}`)],
    [say(lang, 'word.status'), status],
    [say(lang, 'word.finishedAt'), localTime(input.run.finishedAt, zone)],
  ];
  if (input.run.approvedBy) facts.push([say(lang, 'word.approvedBy'), actorName(input.run.approvedBy, lang)], [say(lang, 'word.approvedAt'), localTime(input.run.approvedAt, zone)]);
  if (input.run.approvalOverrideReason) facts.push([say(lang, 'word.overrideReason'), input.run.approvalOverrideReason]);
  facts.push([say(lang, 'wb.runId'), input.run.id]);
  let widths = [0, 0];
  for (const [label, value] of facts) {
    summary.addRow([label, value]);
    widths = [Math.max(widths[0]!, displayWidth(label)), Math.max(widths[1]!, displayWidth(value))];
  }
  if (input.withSummary) {
    // in the result document's order (a stored result's JSON comes back from jsonb in another)
    const order = Object.keys((result.kind === 'annual' ? AnnualSummarySchema : QuarterlySummarySchema).properties);
    const items = result.summary as Record<string, unknown>;
    for (const k of order.filter((key) => items[key] !== undefined)) {
      const v = items[k];
      const label = `summary.${k}` in messages ? say(lang, `summary.${k}` as MessageKey) : k;
      const row = summary.addRow([label]);
      setCell(row.getCell(2), k, v);
      if (k === 'paidTotal') row.font = BOLD;
      widths = [Math.max(widths[0]!, displayWidth(label)), Math.max(widths[1]!, displayWidth(shownText(k, v)))];
    }
  }
  summary.getColumn(1).width = Math.max(16, widths[0]! + 2);
  summary.getColumn(2).width = Math.min(60, Math.max(18, widths[1]! + 2));
  summary.getColumn(2).alignment = { horizontal: 'right' };
  printSetup(summary, frame, say(lang, 'wb.title.summary'), 'portrait', 2);

  const departmentNames = new Map(result.departments.map((d) => [d.code, d.name]));
  const departments = result.departments.filter((d) => mine(d.code));
  const withName = <T extends { department: string }>(l: T) => ({ ...l, departmentName: departmentNames.get(l.department) ?? l.department });
  let personKeys: string[];
  let people: Record<string, unknown>[];
  if (result.kind === 'quarterly') {
    const q = result as QuarterlyResult;
    const departmentKeys = [
      'code',
      'departmentName',
      'kind',
      'headcount',
      'riskCoefficient',
      'score',
      'gross',
      'penaltyTotal',
      'net',
      'cap',
      'bankDeposit',
      'bankDraw',
      'floorSubsidy',
      'final',
      'bankBalanceAfter',
    ];
    const scoreKeys = [
      'code',
      'departmentName',
      'workloadScore',
      'qualityScore',
      'ethicsScore',
      'costCoefficient',
      'basePerCapita',
      'score',
      'costQuota',
      'outpatientFee',
      'inpatientFee',
      'drugRatio',
      'inventoryLoss',
      'penaltyTotal',
    ];
    const rows = q.departments.filter((d) => mine(d.code)).map((d) => ({ ...d, ...d.penalties, departmentName: d.name }));
    // two sheets, each legible on an A4 page: the amounts, then the scores and penalties behind them
    addTable(book, frame, { name: say(lang, 'wb.sheet.departments'), title: say(lang, 'wb.title.departments'), keys: departmentKeys, rows });
    addTable(book, frame, { name: say(lang, 'wb.sheet.scores'), title: say(lang, 'wb.title.scores'), keys: scoreKeys, rows });
    const withDisputes = q.individuals.some((l) => l.disputeFines !== undefined);
    personKeys = [
      'rawScore',
      'attendanceDeduction',
      'overtimeAddition',
      'payRatio',
      'effectiveScore',
      'tier2Pay',
      'leaderBonus',
      'studyLeavePay',
      ...(withDisputes ? ['disputeFines'] : []),
      'finesApplied',
      'total',
    ];
    people = q.individuals.filter((l) => mine(l.department)).map(withName);
  } else {
    const withRisk = result.summary.riskAwardTotal !== undefined;
    const risk = withRisk ? ['riskAward'] : [];
    const rows = departments.map((d) => ({ ...d, departmentName: d.name }));
    addTable(book, frame, { name: say(lang, 'wb.sheet.departments'), title: say(lang, 'wb.title.departments'), keys: ['code', 'departmentName', 'score', 'amount', ...risk, 'bankExpired'], rows });
    personKeys = ['weight', 'amount', ...(withRisk ? ['riskAward', 'payable'] : [])];
    people = result.individuals.filter((l) => mine(l.department)).map((l) => ({ ...withName(l), ...(withRisk ? { payable: formatMoney(new Dec(l.amount).plus(l.riskAward ?? '0')) } : {}) }));
  }
  addTable(book, frame, { name: say(lang, 'wb.sheet.individuals'), title: say(lang, 'wb.title.individuals'), keys: ['staffId', 'name', 'department', 'departmentName', ...personKeys], rows: people });
  // a sheet per department, of its people: what its head checks, prints and signs
  for (const d of departments) {
    const own = people.filter((l) => l.department === d.code);
    const title = say(lang, 'wb.title.department', { department: named(d.name, d.code, lang) });
    addTable(book, frame, { name: sheetName(book, d.name || d.code, d.code), title, keys: ['staffId', 'name', ...personKeys], rows: own });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export interface ExportOptions {
  lang?: Lang;
  timeZone?: string;
  /** A CSV's header row: Chinese words (`zh`, the default) or the field names (`en`, for machines). */
  headers?: HeaderLanguage;
}

export async function runWorkbook(deps: Deps, id: string, department?: string, options: ExportOptions = {}): Promise<{ buffer: Buffer; filename: string }> {
  const principal = deps.caller.principal;
  const mine = readableDepartments(principal, department);
  const { run, hospital, result } = await runWithResult(deps.db, id);
  if (!result) throw resultNotFound(id);
  const hospitalName = (await findHospitalById(deps.db, run.hospitalId))?.name;
  const buffer = await buildWorkbook({ hospital, hospitalName, run, result, mine, withSummary: readsWholeHospital(principal) && !department, lang: options.lang, timeZone: options.timeZone });
  return { buffer, filename: `${hospital}-${run.period}${department ? `-${department}` : ''}-${run.id.slice(0, 8)}.xlsx`.replace(/[^\w.-]/g, '_') };
}

const PAYROLL_COLUMNS = ['staffId', 'name', 'department', 'amount'] as const;

/**
 * The payroll file of an approved run (another gives 409), CSV in UTF-8 with a BOM, CRLF. For the
 * finance office (the default): 期间, 科室编码, 科室, 工号, 姓名 and 实发金额 (a year-end with risk
 * awards: 年终奖励 and 风险奖 beside it), a row per person and department grouped by department,
 * and a 合计 row equal to the run's paidTotal. With `headers: 'en'`, for the bank or payroll
 * system: staffId, name, department, amount (a year-end's amount and risk award summed, with
 * yearEndAmount and riskAward beside it), one row per line and no total, as it has always been.
 */
export async function payrollCsv(deps: Deps, id: string, department?: string, options: ExportOptions = {}): Promise<{ text: string; filename: string }> {
  const mine = readableDepartments(deps.caller.principal, department);
  const { run, hospital, result } = await runWithResult(deps.db, id);
  if (!result) throw resultNotFound(id);
  if (run.status !== 'approved') throw notApproved(id, run.status);
  // a year-end pays the year-end amount and the risk award (paid outside the fund): amount is their sum
  const withRisk = result.kind === 'annual' && result.summary.riskAwardTotal !== undefined;
  const rows = (
    result.kind === 'quarterly'
      ? (result as QuarterlyResult).individuals.map((l) => ({ staffId: l.staffId, name: l.name, department: l.department, amount: l.total }))
      : result.individuals.map((l) =>
          withRisk
            ? { staffId: l.staffId, name: l.name, department: l.department, amount: formatMoney(new Dec(l.amount).plus(l.riskAward ?? '0')), yearEndAmount: l.amount, riskAward: l.riskAward ?? '0.00' }
            : { staffId: l.staffId, name: l.name, department: l.department, amount: l.amount },
        )
  ).filter((r) => mine(r.department));
  const filename = `${hospital}-${run.period}${department ? `-${department}` : ''}-payroll.csv`.replace(/[^\w.-]/g, '_');
  if (options.headers === 'en') return { text: csvText(withRisk ? [...PAYROLL_COLUMNS, 'yearEndAmount', 'riskAward'] : PAYROLL_COLUMNS, rows, 'en'), filename };

  const order = new Map(result.departments.map((d, i) => [d.code, i]));
  const names = new Map(result.departments.map((d) => [d.code, d.name]));
  const period = periodName(run.period, 'zh');
  const sorted = [...rows].sort((a, b) => (order.get(a.department) ?? 0) - (order.get(b.department) ?? 0) || (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
  const money = withRisk ? ['yearEndAmount', 'riskAward', 'payable'] : ['payable'];
  const sum = (key: string) => formatMoney(sorted.reduce((acc, r) => acc.plus(String((r as Record<string, unknown>)[key === 'payable' ? 'amount' : key] ?? '0')), new Dec(0)));
  const lines: Record<string, unknown>[] = sorted.map((r) => ({ ...r, period, departmentName: names.get(r.department) ?? r.department, payable: r.amount }));
  lines.push({ period: say('zh', 'word.total'), ...Object.fromEntries(money.map((k) => [k, sum(k)])) });
  return { text: csvText(['period', 'department', 'departmentName', 'staffId', 'name', ...money], lines, 'zh'), filename };
}
