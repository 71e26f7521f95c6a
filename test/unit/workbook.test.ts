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
    const people = book.getWorksheet('个人 individuals')!;
    expect(people.getRow(2).getCell(5).value).toBe(big);
    expect(String(people.getRow(2).getCell(5).value)).toBe(big);
    const summary = book.getWorksheet('汇总 summary')!;
    const paid = [...Array(summary.rowCount).keys()].map((i) => summary.getRow(i + 1)).find((r) => r.getCell(1).value === 'paidTotal')!;
    expect(paid.getCell(2).value).toBe(big);
  });
});
