import type ExcelJS from 'exceljs';
import { Dec, formatMoney, type AnnualResult, type QuarterlyResult } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../shared/principal.js';
import { readableDepartments, readsWholeHospital } from '../access/access.js';
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
]);

const LABELS: Record<string, string> = {
  staffId: '工号 staffId',
  name: '姓名 name',
  department: '科室 department',
  code: '科室编码 code',
  kind: '类别 kind',
  headcount: '人数 headcount',
  score: '得分 score',
  riskCoefficient: '风险系数 riskCoefficient',
  gross: '应分 gross',
  penaltyTotal: '扣罚 penaltyTotal',
  net: '扣罚后 net',
  cap: '封顶线 cap',
  bankDeposit: '存入调节金 bankDeposit',
  bankDraw: '调节金补发 bankDraw',
  floorSubsidy: '保底补贴 floorSubsidy',
  final: '科室实发 final',
  bankBalanceAfter: '调节金余额 bankBalanceAfter',
  workloadScore: '工作量 W',
  qualityScore: '质量 Q',
  ethicsScore: '医德 E',
  costCoefficient: '成本系数',
  basePerCapita: '人均基数',
  costQuota: '成本定额扣罚',
  outpatientFee: '门诊费用扣罚',
  inpatientFee: '住院费用扣罚',
  drugRatio: '药占比扣罚',
  inventoryLoss: '盘亏扣罚',
  rawScore: '原始得分 rawScore',
  attendanceDeduction: '缺勤扣减',
  overtimeAddition: '加班增加',
  payRatio: '发放系数 payRatio',
  effectiveScore: '实得分 effectiveScore',
  tier2Pay: '二次分配 tier2Pay',
  leaderBonus: '职务奖励 leaderBonus',
  studyLeavePay: '进修工资 studyLeavePay',
  finesApplied: '罚款 finesApplied',
  total: '实发合计 total',
  weight: '年度权重 weight',
  amount: '金额 amount',
  bankExpired: '调节金作废 bankExpired',
  riskAward: '风险奖 riskAward',
  disputeFines: '纠纷扣款 disputeFines',
};

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
  if (/^-?\d+(\.\d+)?$/.test(text) && key !== 'staffId' && key !== 'code' && key !== 'department' && key !== 'name') {
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

function addTable(book: ExcelJS.Workbook, name: string, keys: string[], rows: Record<string, unknown>[]): void {
  const sheet = book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = keys.map((k) => ({ header: LABELS[k] ?? k, key: k, width: Math.max(12, (LABELS[k] ?? k).length + 4) }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) {
    const added = sheet.addRow([]);
    for (const [i, k] of keys.entries()) setCell(added.getCell(i + 1), k, row[k]);
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: keys.length } };
}

export interface WorkbookInput {
  hospital: string;
  run: { id: string; period: string; status: string; finishedAt: Date | null };
  result: QuarterlyResult | AnnualResult;
  /** The hospital's figures (the summary) are shown to a reader of the whole run only. */
  withSummary: boolean;
  mine: (department: string) => boolean;
}

/**
 * The run as a workbook: 汇总 summary (field, value), 科室 departments and 个人 individuals
 * sheets, frozen headers, money as #,##0.00 and scores as 0.000000 numbers (exact text where a
 * number would not hold the decimal).
 */
export async function buildWorkbook(input: WorkbookInput): Promise<Buffer> {
  const { result, mine } = input;
  const { default: Excel } = await import('exceljs'); // loaded on the first workbook, not at start
  const book = new Excel.Workbook();
  book.creator = 'perfpay';
  book.created = input.run.finishedAt ?? new Date(0);
  const summary = book.addWorksheet('汇总 summary', { views: [{ state: 'frozen', ySplit: 1 }] });
  summary.columns = [
    { header: '项目 field', key: 'field', width: 28 },
    { header: '值 value', key: 'value', width: 22 },
  ];
  summary.getRow(1).font = { bold: true };
  summary.addRow(['hospital', input.hospital]);
  summary.addRow(['period', input.run.period]);
  summary.addRow(['status', input.run.status]);
  if (input.withSummary) {
    for (const [k, v] of Object.entries(result.summary)) setCell(summary.addRow([k]).getCell(2), k, v);
  }
  if (result.kind === 'quarterly') {
    const q = result as QuarterlyResult;
    const departmentKeys = [
      'code',
      'name',
      'kind',
      'headcount',
      'workloadScore',
      'qualityScore',
      'ethicsScore',
      'costCoefficient',
      'basePerCapita',
      'riskCoefficient',
      'score',
      'gross',
      'costQuota',
      'outpatientFee',
      'inpatientFee',
      'drugRatio',
      'inventoryLoss',
      'penaltyTotal',
      'net',
      'cap',
      'bankDeposit',
      'bankDraw',
      'floorSubsidy',
      'final',
      'bankBalanceAfter',
    ];
    addTable(
      book,
      '科室 departments',
      departmentKeys,
      q.departments.filter((d) => mine(d.code)).map((d) => ({ ...d, ...d.penalties })),
    );
    const withDisputes = q.individuals.some((l) => l.disputeFines !== undefined);
    const individualKeys = [
      'staffId',
      'name',
      'department',
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
    addTable(book, '个人 individuals', individualKeys, q.individuals.filter((l) => mine(l.department)) as unknown as Record<string, unknown>[]);
  } else {
    const withRisk = result.summary.riskAwardTotal !== undefined;
    const risk = withRisk ? ['riskAward'] : [];
    addTable(book, '科室 departments', ['code', 'name', 'score', 'amount', ...risk, 'bankExpired'], result.departments.filter((d) => mine(d.code)) as unknown as Record<string, unknown>[]);
    addTable(book, '个人 individuals', ['staffId', 'name', 'department', 'weight', 'amount', ...risk], result.individuals.filter((l) => mine(l.department)) as unknown as Record<string, unknown>[]);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export async function runWorkbook(deps: Deps, id: string, department?: string): Promise<{ buffer: Buffer; filename: string }> {
  const principal = deps.caller.principal;
  const mine = readableDepartments(principal, department);
  const { run, hospital, result } = await runWithResult(deps.db, id);
  if (!result) throw resultNotFound(id);
  const buffer = await buildWorkbook({ hospital, run, result, mine, withSummary: readsWholeHospital(principal) && !department });
  return { buffer, filename: `${hospital}-${run.period}${department ? `-${department}` : ''}-${run.id.slice(0, 8)}.xlsx`.replace(/[^\w.-]/g, '_') };
}

const PAYROLL_COLUMNS = ['staffId', 'name', 'department', 'amount'] as const;

/**
 * The payroll file for the bank or payroll system: one row per person and department with the
 * amount to pay (a quarter's total, a year-end's amount), CSV in UTF-8 with a BOM. Only an
 * approved run is payroll; another gives 409.
 */
export async function payrollCsv(deps: Deps, id: string, department?: string): Promise<{ text: string; filename: string }> {
  const mine = readableDepartments(deps.caller.principal, department);
  const { run, hospital, result } = await runWithResult(deps.db, id);
  if (!result) throw resultNotFound(id);
  if (run.status !== 'approved') throw notApproved(id, run.status);
  // a year-end pays the year-end amount and the risk award (paid outside the fund): amount is their sum
  const withRisk = result.kind === 'annual' && result.summary.riskAwardTotal !== undefined;
  const columns = withRisk ? [...PAYROLL_COLUMNS, 'yearEndAmount', 'riskAward'] : PAYROLL_COLUMNS;
  const rows =
    result.kind === 'quarterly'
      ? (result as QuarterlyResult).individuals.map((l) => ({ staffId: l.staffId, name: l.name, department: l.department, amount: l.total }))
      : result.individuals.map((l) =>
          withRisk
            ? { staffId: l.staffId, name: l.name, department: l.department, amount: formatMoney(new Dec(l.amount).plus(l.riskAward ?? '0')), yearEndAmount: l.amount, riskAward: l.riskAward ?? '0.00' }
            : { staffId: l.staffId, name: l.name, department: l.department, amount: l.amount },
        );
  return {
    text: csvText(
      columns,
      rows.filter((r) => mine(r.department)),
    ),
    filename: `${hospital}-${run.period}${department ? `-${department}` : ''}-payroll.csv`.replace(/[^\w.-]/g, '_'),
  };
}
