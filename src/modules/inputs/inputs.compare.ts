import { Dec } from '../../core/money.js';
import { canonicalJson } from '../audit/canonical.js';

/** Fields that hold decimals, compared by value: "01.50" read back from numeric as "1.50" is no change. */
const DECIMAL_KEYS = new Set([
  'riskCoefficient', 'payRatioOverride', 'revenue', 'adjustment', 'qualityMedical', 'qualityNursing', 'qualityInfectionControl',
  'ethicsDeductions', 'medicalRevenue', 'drugRevenue', 'totalCost', 'variableCost', 'costQuotaRatio', 'outpatientFeeActual',
  'outpatientFeeTarget', 'inpatientFeeActual', 'inpatientFeeTarget', 'drugRatioTarget', 'inventoryLoss', 'adminDeductions',
  'workloadScore', 'ethicsDeduction', 'fines', 'actual', 'base', 'weight', 'assessmentFactor',
]);

function normalize(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && DECIMAL_KEYS.has(key)) return new Dec(value).toString();
  if (Array.isArray(value)) return value.map((v) => normalize(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => v !== null && v !== undefined && k !== 'updatedAt' && k !== 'hospitalId')
        .map(([k, v]) => [k, normalize(v, k)]),
    );
  }
  return value;
}

/** True when two records (or rows) say the same thing, whatever the spelling of their decimals. */
export function sameRecord(a: unknown, b: unknown): boolean {
  return normalizedJson(a) === normalizedJson(b);
}

/** The canonical text of a record with its decimals normalised and bookkeeping columns left out. */
export function normalizedJson(value: unknown): string {
  return canonicalJson(normalize(value));
}
