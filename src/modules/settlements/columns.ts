import { say, type Lang } from '../../shared/i18n.js';
import type { MessageKey } from '../../shared/messages/index.js';

/**
 * The words of a file's column, by the result's field: what workbooks, CSV and payroll files put
 * in their header row for people (the catalogue's text in the file's language). A machine's CSV
 * (`headers=en`) keeps the field names themselves.
 */
const COLUMN_WORDS: Record<string, MessageKey> = {
  staffId: 'word.staffId',
  name: 'word.name',
  department: 'word.departmentCode',
  departmentName: 'word.department',
  code: 'word.departmentCode',
  period: 'word.period',
  amount: 'wb.col.yearEndAmount',
  yearEndAmount: 'wb.col.yearEndAmount',
  kind: 'wb.col.kind',
  headcount: 'wb.col.headcount',
  workloadScore: 'wb.col.workloadScore',
  qualityScore: 'wb.col.qualityScore',
  ethicsScore: 'wb.col.ethicsScore',
  costCoefficient: 'wb.col.costCoefficient',
  basePerCapita: 'wb.col.basePerCapita',
  riskCoefficient: 'wb.col.riskCoefficient',
  score: 'wb.col.score',
  gross: 'wb.col.gross',
  costQuota: 'wb.col.costQuota',
  outpatientFee: 'wb.col.outpatientFee',
  inpatientFee: 'wb.col.inpatientFee',
  drugRatio: 'wb.col.drugRatio',
  inventoryLoss: 'wb.col.inventoryLoss',
  penaltyTotal: 'wb.col.penaltyTotal',
  net: 'wb.col.net',
  cap: 'wb.col.cap',
  bankDeposit: 'wb.col.bankDeposit',
  bankDraw: 'wb.col.bankDraw',
  floorSubsidy: 'wb.col.floorSubsidy',
  final: 'wb.col.final',
  bankBalanceAfter: 'wb.col.bankBalanceAfter',
  rawScore: 'wb.col.rawScore',
  attendanceDeduction: 'wb.col.attendanceDeduction',
  overtimeAddition: 'wb.col.overtimeAddition',
  payRatio: 'wb.col.payRatio',
  effectiveScore: 'wb.col.effectiveScore',
  tier2Pay: 'wb.col.tier2Pay',
  leaderBonus: 'wb.col.leaderBonus',
  studyLeavePay: 'wb.col.studyLeavePay',
  disputeFines: 'wb.col.disputeFines',
  finesApplied: 'wb.col.finesApplied',
  total: 'wb.col.total',
  weight: 'wb.col.weight',
  riskAward: 'wb.col.riskAward',
  bankExpired: 'wb.col.bankExpired',
  payable: 'wb.col.payable',
};

/** A column's header for people: 工号, 实发合计… (the field's own name for a field without words). */
export function columnLabel(key: string, lang: Lang): string {
  const word = COLUMN_WORDS[key];
  return word ? say(lang, word) : key;
}

/** The language of a file's header row: `en` keeps the field names (for machines), `zh` the words. */
export type HeaderLanguage = 'zh' | 'en';

/** A CSV's header row: the field names for `en`, the Chinese words otherwise. */
export const csvHeaders = (columns: readonly string[], headers: HeaderLanguage): string[] => (headers === 'en' ? [...columns] : columns.map((c) => columnLabel(c, 'zh')));
