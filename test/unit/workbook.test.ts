import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildWorkbook, cell } from '../../src/modules/settlements/exports.usecases.js';

/** Money in a workbook: a number where the number holds the decimal, the exact text where it would not. */
describe('workbook cells', () => {
  it('money and scores of up to 15 significant digits are numbers; longer ones their exact text', () => {
    expect(cell('total', '18727.39')).toEqual({ value: 18727.39, format: '#,##0.00' });
    expect(cell('pointValue', '12.345678')).toEqual({ value: 12.345678, format: '0.000000' });
    expect(cell('total', '9999999999999.99')).toEqual({ value: 9999999999999.99, format: '#,##0.00' });
    expect(cell('total', '125243126859927.68')).toEqual({ value: '125243126859927.68', exactText: true });
    expect(cell('paidTotal', '999999999999999999.99')).toEqual({ value: '999999999999999999.99', exactText: true });
    expect(cell('staffId', '0012')).toEqual({ value: '0012' });
  });

  it('a workbook written with amounts the store can hold shows each one as it is', async () => {
    const big = '125243126859927.68';
    const result = {
      period: '2026',
      kind: 'annual' as const,
      summary: { fund: big, unallocated: '0.00', bankExpired: '0.00', paidTotal: big },
      departments: [{ code: 'IM', name: '内科', score: '1.000000', amount: big, bankExpired: '0.00' }],
      individuals: [{ staffId: 'S1', name: '张三', department: 'IM', weight: '1.000000', amount: big }],
      warnings: [],
    };
    const bytes = await buildWorkbook({ hospital: 'H', run: { id: 'r', period: '2026', status: 'approved', finishedAt: null }, result, withSummary: true, mine: () => true });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as never);
    const people = book.getWorksheet('个人')!;
    expect(people.getRow(1).getCell(6).value).toBe('年终奖励');
    expect(people.getRow(2).getCell(6).value).toBe(big);
    expect(String(people.getRow(2).getCell(6).value)).toBe(big);
    // the 合计 row: the exact sum, as text too
    expect(people.getRow(3).getCell(1).value).toBe('合计');
    expect(people.getRow(3).getCell(6).value).toBe(big);
    const summary = book.getWorksheet('汇总')!;
    const paid = [...Array(summary.rowCount).keys()].map((i) => summary.getRow(i + 1)).find((r) => r.getCell(1).value === '实发总额')!;
    expect(paid.getCell(2).value).toBe(big);
  });
});

const quarter = {
  period: '2026Q1',
  kind: 'quarterly' as const,
  summary: { tier1Pool: '1000.00', pointValue: '12.345678', paidTotal: '1234567.89', headcount: 3 },
  departments: [
    {
      code: 'IM',
      name: '内科',
      kind: 'clinical',
      headcount: 2,
      score: '1.000000',
      riskCoefficient: '1.000000',
      gross: '1000000.10',
      penalties: { costQuota: '0.00', outpatientFee: '0.00', inpatientFee: '0.00', drugRatio: '0.00', inventoryLoss: '0.00' },
      penaltyTotal: '0.00',
      net: '1000000.10',
      cap: '2000000.00',
      bankDeposit: '0.00',
      bankDraw: '0.00',
      floorSubsidy: '0.00',
      final: '1000000.10',
      bankBalanceAfter: '0.00',
    },
    {
      code: 'FIN',
      name: '财务科',
      kind: 'admin',
      headcount: 1,
      score: '1.000000',
      riskCoefficient: '1.000000',
      gross: '234567.79',
      penalties: { costQuota: '0.00', outpatientFee: '0.00', inpatientFee: '0.00', drugRatio: '0.00', inventoryLoss: '0.00' },
      penaltyTotal: '0.00',
      net: '234567.79',
      cap: '2000000.00',
      bankDeposit: '0.00',
      bankDraw: '0.00',
      floorSubsidy: '0.00',
      final: '234567.79',
      bankBalanceAfter: '0.00',
    },
  ],
  individuals: [
    {
      staffId: 'S1',
      name: '张三',
      department: 'IM',
      rawScore: '1.000000',
      attendanceDeduction: '0.000000',
      overtimeAddition: '0.000000',
      payRatio: '1.000000',
      effectiveScore: '1.000000',
      tier2Pay: '500000.05',
      leaderBonus: '0.00',
      studyLeavePay: '0.00',
      finesApplied: '0.00',
      total: '500000.05',
    },
    {
      staffId: 'S2',
      name: '李四',
      department: 'IM',
      rawScore: '1.000000',
      attendanceDeduction: '0.000000',
      overtimeAddition: '0.000000',
      payRatio: '1.000000',
      effectiveScore: '1.000000',
      tier2Pay: '500000.05',
      leaderBonus: '0.00',
      studyLeavePay: '0.00',
      finesApplied: '0.00',
      total: '500000.05',
    },
    {
      staffId: '0012',
      name: '王五',
      department: 'FIN',
      rawScore: '1.000000',
      attendanceDeduction: '0.000000',
      overtimeAddition: '0.000000',
      payRatio: '1.000000',
      effectiveScore: '1.000000',
      tier2Pay: '234567.79',
      leaderBonus: '0.00',
      studyLeavePay: '0.00',
      finesApplied: '0.00',
      total: '234567.79',
    },
  ],
  warnings: [],
};
const run = { id: '0123456789abcdef', period: '2026Q1', status: 'approved', finishedAt: new Date('2026-04-02T01:30:00Z'), approvedBy: 'finance-1', approvedAt: new Date('2026-04-03T02:00:00Z') };
const load = async (bytes: Buffer) => {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as never);
  return book;
};
const column = (sheet: ExcelJS.Worksheet, label: string) => {
  let found = 0;
  sheet.getRow(1).eachCell((c, n) => {
    if (c.value === label) found = n;
  });
  expect(found, `${sheet.name}: ${label}`).toBeGreaterThan(0);
  return found;
};

describe('a workbook a finance office uses as it is', () => {
  it('Chinese words for the sheets, the summary items, the status, the hospital and the period; names beside codes; a 合计 row per table equal to the run', async () => {
    const book = await load(await buildWorkbook({ hospital: 'XH', hospitalName: '兴和县医院', run, result: quarter as never, withSummary: true, mine: () => true }));
    expect(book.worksheets.map((w) => w.name)).toEqual(['汇总', '科室', '科室得分与扣罚', '个人', '内科', '财务科']);
    const summary = book.getWorksheet('汇总')!;
    const rows = new Map<string, ExcelJS.CellValue>();
    summary.eachRow((r) => rows.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(rows.get('医院')).toBe('兴和县医院（XH）');
    expect(rows.get('期间')).toBe('2026年第一季度');
    expect(rows.get('状态')).toBe('已审批');
    expect(rows.get('核算类型')).toBe('季度核算');
    expect(rows.get('审批人')).toBe('finance-1');
    expect(rows.get('审批时间')).toBe('2026-04-03 10:00:00 (UTC+8)');
    expect(rows.get('一次分配总额')).toBe(1000);
    expect(rows.get('每分值（元/分）')).toBe(12.345678);
    expect(rows.get('实发总额')).toBe(1234567.89);
    expect([...rows.keys()].join(' ')).not.toMatch(/tier1Pool|paidTotal|pointValue/);

    const people = book.getWorksheet('个人')!;
    for (const label of ['工号', '姓名', '科室编码', '科室', '实发合计']) column(people, label);
    expect(people.getRow(4).getCell(1).value).toBe('0012');
    expect(people.getRow(4).getCell(4).value).toBe('财务科');
    const total = people.getRow(5);
    expect(total.getCell(1).value).toBe('合计');
    expect(total.getCell(column(people, '实发合计')).value).toBe(1234567.89);
    expect(total.getCell(column(people, '实发合计')).numFmt).toBe('#,##0.00');
    expect(total.getCell(column(people, '实得分')).value).toBeNull();

    const departments = book.getWorksheet('科室')!;
    expect(departments.getRow(2).getCell(column(departments, '科室')).value).toBe('内科');
    expect(departments.getRow(2).getCell(column(departments, '科室类别')).value).toBe('临床医技');
    expect(departments.getRow(4).getCell(1).value).toBe('合计');
    expect(departments.getRow(4).getCell(column(departments, '科室实发')).value).toBe(1234567.89);
    expect(departments.getRow(4).getCell(column(departments, '核算人数')).value).toBe(3);
    expect(departments.getRow(4).getCell(column(departments, '封顶线')).value).toBeNull();

    const im = book.getWorksheet('内科')!;
    expect(im.actualRowCount).toBe(4);
    expect(im.getRow(4).getCell(column(im, '实发合计')).value).toBe(1000000.1);
    for (const sheet of book.worksheets) {
      expect(sheet.pageSetup.paperSize, sheet.name).toBe(9);
      expect(sheet.pageSetup.fitToWidth, sheet.name).toBe(1);
      expect(sheet.pageSetup.fitToHeight, sheet.name).toBe(0);
      expect(sheet.pageSetup.orientation, sheet.name).toBe(sheet.name === '汇总' ? 'portrait' : 'landscape');
      expect(sheet.headerFooter.oddHeader, sheet.name).toContain('兴和县医院');
      expect(sheet.headerFooter.oddHeader, sheet.name).toContain('2026年第一季度');
      expect(sheet.headerFooter.oddFooter, sheet.name).toContain('已审批');
      expect(sheet.views[0]?.state, sheet.name).toBe('frozen');
      if (sheet.name !== '汇总') expect(sheet.pageSetup.printTitlesRow, sheet.name).toBe('1:1');
      // columns wide enough for their names
      sheet.getRow(1).eachCell((c, n) => expect(sheet.getColumn(n).width, `${sheet.name} ${String(c.value)}`).toBeGreaterThanOrEqual(8));
    }
  });

  it('English when asked; a department head gets their departments without the hospital figures', async () => {
    const en = await load(await buildWorkbook({ hospital: 'XH', hospitalName: '兴和县医院', run, result: quarter as never, withSummary: true, mine: () => true, lang: 'en' }));
    expect(en.worksheets.map((w) => w.name).slice(0, 4)).toEqual(['Summary', 'Departments', 'Scores and penalties', 'Individuals']);
    const people = en.getWorksheet('Individuals')!;
    for (const label of ['Staff id', 'Name', 'Department code', 'Department', 'Total paid']) column(people, label);
    expect(people.getRow(5).getCell(1).value).toBe('Total');
    const values = JSON.stringify(en.getWorksheet('Summary')!.getSheetValues());
    expect(values).toContain('2026 Q1');
    expect(values).toContain('Paid total');

    const head = await load(await buildWorkbook({ hospital: 'XH', hospitalName: '兴和县医院', run, result: quarter as never, withSummary: false, mine: (d) => d === 'IM' }));
    expect(head.worksheets.map((w) => w.name)).toEqual(['汇总', '科室', '科室得分与扣罚', '个人', '内科']);
    expect(JSON.stringify(head.getWorksheet('汇总')!.getSheetValues())).not.toContain('实发总额');
    expect(head.getWorksheet('个人')!.getRow(4).getCell(1).value).toBe('合计');
  });

  it('sheet names Excel accepts: no : / ? * [ ], at most 31 characters, unique', async () => {
    const odd = structuredClone(quarter);
    odd.departments[0]!.name = '内科/外科:[急诊]*?一个非常非常非常非常非常非常非常非常非常长的名字';
    odd.departments[1]!.name = '汇总';
    const book = await load(await buildWorkbook({ hospital: 'XH', run, result: odd as never, withSummary: true, mine: () => true }));
    const names = book.worksheets.map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(31);
      expect(n).not.toMatch(/[:\\/?*[\]]/);
    }
    expect(names).toContain('汇总（FIN）');
  });
});
