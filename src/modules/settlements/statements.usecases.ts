import ExcelJS from 'exceljs';
import type { FastifyRequest } from 'fastify';
import { Dec, departmentStatement, formatMoney, personStatement, type AnnualResult, type DepartmentStatement, type PersonStatement, type QuarterlyResult } from '../../core/index.js';
import type { Db } from '../../db/client.js';
import { AppError, notFound } from '../../shared/errors.js';
import { assertDepartment, assertPersonVisible, type Principal } from '../../plugins/access.js';
import { csvLine, readableDepartments, settledRun } from './lines.usecases.js';
import { runInputs, type RunRow } from './settlements.repository.js';
import { hospitalCodeOf, quarterOutcomeOf, readSettlement } from './settlements.usecases.js';

async function quarterlyRun(db: Db, id: string): Promise<RunRow> {
  const run = await settledRun(db, id);
  if (run.kind !== 'quarterly') throw new AppError(400, 'not_quarterly', `settlement ${id} is the year-end ${run.period}; statements are of quarters`, 'id');
  return run;
}

export async function personStatementOf(db: Db, request: FastifyRequest, id: string, staffId: string): Promise<{ statement: PersonStatement; hospital: string }> {
  const run = await quarterlyRun(db, id);
  const statement = personStatement(await quarterOutcomeOf(db, run), staffId);
  if (!statement) throw notFound(`staff ${staffId} in settlement ${id}`);
  assertPersonVisible(request, statement.department.code, `staff ${staffId} in settlement ${id}`);
  return { statement, hospital: await hospitalCodeOf(db, run.hospitalId) };
}

export async function departmentStatementOf(db: Db, request: FastifyRequest, id: string, code: string): Promise<{ statement: DepartmentStatement; hospital: string }> {
  assertDepartment(request, code);
  const run = await quarterlyRun(db, id);
  const statement = departmentStatement(await quarterOutcomeOf(db, run), code);
  if (!statement) throw notFound(`department ${code} in settlement ${id}`);
  return { statement, hospital: await hospitalCodeOf(db, run.hospitalId) };
}

// ------------------------------------------------------------------ XLSX and payroll

const MONEY_FORMAT = '#,##0.00';
const SCORE_FORMAT = '0.000000';
const MONEY_FIELDS = new Set(['revenue', 'pool', 'reserve', 'adjustment', 'distributable', 'leaderBonusTotal', 'tier1Pool', 'penaltiesRetained', 'bankDeposits', 'bankDraws', 'floorSubsidies', 'departmentsFinal', 'tier2Total', 'studyLeavePay', 'finesRetained', 'unallocated', 'paidTotal', 'gross', 'penaltyTotal', 'net', 'cap', 'bankDeposit', 'bankDraw', 'floorSubsidy', 'final', 'bankBalanceAfter', 'tier2Pay', 'leaderBonus', 'finesApplied', 'total', 'fund', 'bankExpired', 'amount', 'costQuota', 'outpatientFee', 'inpatientFee', 'drugRatio', 'inventoryLoss', 'riskAward', 'riskAwardTotal', 'disputeFines']);

const LABELS: Record<string, string> = {
  staffId: '工号 staffId', name: '姓名 name', department: '科室 department', code: '科室编码 code', kind: '类别 kind', headcount: '人数 headcount',
  score: '得分 score', riskCoefficient: '风险系数 riskCoefficient', gross: '应分 gross', penaltyTotal: '扣罚 penaltyTotal', net: '扣罚后 net', cap: '封顶线 cap',
  bankDeposit: '存入调节金 bankDeposit', bankDraw: '调节金补发 bankDraw', floorSubsidy: '保底补贴 floorSubsidy', final: '科室实发 final', bankBalanceAfter: '调节金余额 bankBalanceAfter',
  workloadScore: '工作量 W', qualityScore: '质量 Q', ethicsScore: '医德 E', costCoefficient: '成本系数', basePerCapita: '人均基数',
  costQuota: '成本定额扣罚', outpatientFee: '门诊费用扣罚', inpatientFee: '住院费用扣罚', drugRatio: '药占比扣罚', inventoryLoss: '盘亏扣罚',
  rawScore: '原始得分 rawScore', attendanceDeduction: '缺勤扣减', overtimeAddition: '加班增加', payRatio: '发放系数 payRatio', effectiveScore: '实得分 effectiveScore',
  tier2Pay: '二次分配 tier2Pay', leaderBonus: '职务奖励 leaderBonus', studyLeavePay: '进修工资 studyLeavePay', finesApplied: '罚款 finesApplied', total: '实发合计 total',
  weight: '年度权重 weight', amount: '金额 amount', bankExpired: '调节金作废 bankExpired', riskAward: '风险奖 riskAward', disputeFines: '纠纷扣款 disputeFines',
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
    keys.forEach((k, i) => setCell(added.getCell(i + 1), k, row[k]));
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
  const book = new ExcelJS.Workbook();
  book.creator = 'perfpay';
  book.created = input.run.finishedAt ?? new Date(0);
  const summary = book.addWorksheet('汇总 summary', { views: [{ state: 'frozen', ySplit: 1 }] });
  summary.columns = [{ header: '项目 field', key: 'field', width: 28 }, { header: '值 value', key: 'value', width: 22 }];
  summary.getRow(1).font = { bold: true };
  summary.addRow(['hospital', input.hospital]);
  summary.addRow(['period', input.run.period]);
  summary.addRow(['status', input.run.status]);
  if (input.withSummary) {
    for (const [k, v] of Object.entries(result.summary)) setCell(summary.addRow([k]).getCell(2), k, v);
  }
  if (result.kind === 'quarterly') {
    const q = result as QuarterlyResult;
    const departmentKeys = ['code', 'name', 'kind', 'headcount', 'workloadScore', 'qualityScore', 'ethicsScore', 'costCoefficient', 'basePerCapita', 'riskCoefficient', 'score', 'gross', 'costQuota', 'outpatientFee', 'inpatientFee', 'drugRatio', 'inventoryLoss', 'penaltyTotal', 'net', 'cap', 'bankDeposit', 'bankDraw', 'floorSubsidy', 'final', 'bankBalanceAfter'];
    addTable(book, '科室 departments', departmentKeys, q.departments.filter((d) => mine(d.code)).map((d) => ({ ...d, ...d.penalties })));
    const withDisputes = q.individuals.some((l) => l.disputeFines !== undefined);
    const individualKeys = ['staffId', 'name', 'department', 'rawScore', 'attendanceDeduction', 'overtimeAddition', 'payRatio', 'effectiveScore', 'tier2Pay', 'leaderBonus', 'studyLeavePay', ...(withDisputes ? ['disputeFines'] : []), 'finesApplied', 'total'];
    addTable(book, '个人 individuals', individualKeys, q.individuals.filter((l) => mine(l.department)) as unknown as Record<string, unknown>[]);
  } else {
    const withRisk = result.summary.riskAwardTotal !== undefined;
    const risk = withRisk ? ['riskAward'] : [];
    addTable(book, '科室 departments', ['code', 'name', 'score', 'amount', ...risk, 'bankExpired'], result.departments.filter((d) => mine(d.code)) as unknown as Record<string, unknown>[]);
    addTable(book, '个人 individuals', ['staffId', 'name', 'department', 'weight', 'amount', ...risk], result.individuals.filter((l) => mine(l.department)) as unknown as Record<string, unknown>[]);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export async function runWorkbook(db: Db, request: { principal: Principal | null }, id: string, department?: string): Promise<{ buffer: Buffer; filename: string }> {
  const mine = readableDepartments(request, department);
  const { run, hospital, result } = await readSettlement(db, id);
  if (!result) throw notFound(`settlement result ${id}`);
  const buffer = await buildWorkbook({ hospital, run, result, mine, withSummary: request.principal!.role !== 'dept_head' && !department });
  return { buffer, filename: `${hospital}-${run.period}${department ? `-${department}` : ''}-${run.id.slice(0, 8)}.xlsx`.replace(/[^\w.-]/g, '_') };
}

const PAYROLL_COLUMNS = ['staffId', 'name', 'department', 'amount'] as const;

/**
 * The payroll file for the bank or payroll system: one row per person and department with the
 * amount to pay (a quarter's total, a year-end's amount), CSV in UTF-8 with a BOM. Only an
 * approved run is payroll; another gives 409.
 */
export async function payrollCsv(db: Db, request: FastifyRequest, id: string, department?: string): Promise<{ text: string; filename: string }> {
  const mine = readableDepartments(request, department);
  const { run, hospital, result } = await readSettlement(db, id);
  if (!result) throw notFound(`settlement result ${id}`);
  if (run.status !== 'approved') throw new AppError(409, 'not_approved', `settlement ${id} is ${run.status}; only an approved run is paid`, 'id');
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
  const lines = rows
    .filter((r) => mine(r.department))
    .map((r) => csvLine(columns, r));
  return { text: `\uFEFF${columns.join(',')}\r\n${lines.join('')}`, filename: `${hospital}-${run.period}${department ? `-${department}` : ''}-payroll.csv`.replace(/[^\w.-]/g, '_') };
}

// ------------------------------------------------------------------ run comparison

interface Change {
  field: string;
  from: unknown;
  to: unknown;
}

function changes(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): Change[] {
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  const out: Change[] = [];
  for (const k of keys) {
    const x = a?.[k];
    const y = b?.[k];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ field: k, from: x ?? null, to: y ?? null });
  }
  return out;
}

function byKey<T>(rows: T[] | undefined, key: (r: T) => string): Map<string, T> {
  return new Map((rows ?? []).map((r) => [key(r), r]));
}

function diffRecords<T>(
  a: T[] | undefined,
  b: T[] | undefined,
  key: (r: T) => string,
  keyName: string,
  flatten: (r: T) => Record<string, unknown> = (r) => r as Record<string, unknown>,
  labelOf: (r: T, k: string) => Record<string, unknown> = (_r, k) => ({ [keyName]: k }),
): (Record<string, unknown> & { change: string; fields: Change[] })[] {
  const left = byKey(a, key);
  const right = byKey(b, key);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  return keys.flatMap((k) => {
    const x = left.get(k);
    const y = right.get(k);
    const fields = changes(x ? flatten(x) : undefined, y ? flatten(y) : undefined).filter((c) => c.field !== keyName);
    if (fields.length === 0) return [];
    return [{ ...labelOf((x ?? y)!, k), change: !x ? 'added' : !y ? 'removed' : 'changed', fields }];
  });
}

/**
 * GET /v1/settlements/{a}/diff/{b}: what differs between two runs of the same hospital — the
 * summary, each department's and each person's amounts, and the inputs behind them (scheme,
 * departments, staff, the quarter's figures and records, the opening bank).
 */
export async function diffRuns(db: Db, request: FastifyRequest, a: string, b: string) {
  const [left, right] = [await readSettlement(db, a), await readSettlement(db, b)];
  if (left.hospital !== right.hospital) throw notFound(`settlement ${b}`);
  if (!left.result) throw new AppError(409, 'no_result', `settlement ${a} is ${left.run.status}; it has no result to compare`, 'a');
  if (!right.result) throw new AppError(409, 'no_result', `settlement ${b} is ${right.run.status}; it has no result to compare`, 'b');
  if (left.result.kind !== right.result.kind) throw new AppError(400, 'different_kinds', 'a quarter can be compared with a quarter, a year-end with a year-end', 'b');
  const p = request.principal!;
  const mine = readableDepartments(request);
  const [inputsA, inputsB] = (await Promise.all([runInputs(db, a), runInputs(db, b)])) as Record<string, any>[];
  const periodA = inputsA?.periods?.[0];
  const periodB = inputsB?.periods?.[0];
  const flatDepartment = (d: Record<string, any>) => ({ ...d, ...(d.penalties ?? {}), penalties: undefined });
  const departments = diffRecords(left.result.departments as any[], right.result.departments as any[], (d) => d.code, 'code', flatDepartment).filter((d) => mine(d.code as string));
  // a line is a person in a department; it is keyed and filtered by both fields as they are, so no
  // character a staff id may hold (`X|IM`) can pass one department's line for another's
  const individuals = diffRecords(
    left.result.individuals as any[],
    right.result.individuals as any[],
    (l) => JSON.stringify([l.staffId, l.department]),
    'line',
    (l) => l,
    (l) => ({ line: `${l.staffId}|${l.department}`, staffId: l.staffId, department: l.department }),
  ).filter((l) => mine(l.department as string));
  const hidePeople = p.role === 'finance';
  return {
    a: { id: left.run.id, period: left.run.period, status: left.run.status },
    b: { id: right.run.id, period: right.run.period, status: right.run.status },
    amounts: {
      summary: p.role === 'dept_head' ? [] : changes(left.result.summary as Record<string, unknown>, right.result.summary as Record<string, unknown>),
      departments,
      individuals,
    },
    inputs: {
      scheme: p.role === 'dept_head' ? [] : changes(inputsA?.scheme, inputsB?.scheme),
      departments: diffRecords(inputsA?.departments, inputsB?.departments, (d: any) => d.code, 'code').filter((d) => mine(d.code as string)),
      staff: diffRecords(inputsA?.staff, inputsB?.staff, (s: any) => s.id, 'id').filter((s) => p.role !== 'dept_head' || [inputsA, inputsB].some((doc) => doc?.staff?.some((x: any) => x.id === s.id && mine(x.department)))),
      quarter: p.role === 'dept_head' ? [] : changes(pick(periodA, ['period', 'revenue', 'workingDays', 'adjustment']), pick(periodB, ['period', 'revenue', 'workingDays', 'adjustment'])),
      departmentInputs: diffRecords(periodA?.departments, periodB?.departments, (d: any) => d.code, 'code').filter((d) => mine(d.code as string)),
      individuals: hidePeople
        ? []
        : diffRecords(periodA?.individuals, periodB?.individuals, (r: any) => r.staffId, 'staffId').filter(
            (r) => p.role !== 'dept_head' || [inputsA, inputsB].some((doc) => doc?.staff?.some((x: any) => x.id === r.staffId && mine(x.department))),
          ),
      openingBank: p.role === 'dept_head' ? [] : changes(left.run.openingBank as Record<string, unknown>, right.run.openingBank as Record<string, unknown>),
      annual: p.role === 'dept_head' ? [] : changes(inputsA?.annual, inputsB?.annual),
    },
  };
}

function pick(o: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> | undefined {
  return o ? Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]])) : undefined;
}
