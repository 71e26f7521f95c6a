import { Dec } from '../../core/money.js';
import { canonicalJson } from '../../shared/canonical.js';

/** Fields that hold decimals, compared by value: "01.50" read back from numeric as "1.50" is no change. */
const DECIMAL_KEYS = new Set([
  'riskCoefficient',
  'payRatioOverride',
  'revenue',
  'adjustment',
  'qualityMedical',
  'qualityNursing',
  'qualityInfectionControl',
  'ethicsDeductions',
  'medicalRevenue',
  'drugRevenue',
  'totalCost',
  'variableCost',
  'costQuotaRatio',
  'outpatientFeeActual',
  'outpatientFeeTarget',
  'inpatientFeeActual',
  'inpatientFeeTarget',
  'drugRatioTarget',
  'inventoryLoss',
  'adminDeductions',
  'workloadScore',
  'ethicsDeduction',
  'fines',
  'actual',
  'base',
  'weight',
  'assessmentFactor',
]);

/** Bookkeeping columns, which say nothing about the record. */
const SKIPPED = new Set(['updatedAt', 'hospitalId']);
const absent = (v: unknown) => v === null || v === undefined;
/** A decimal's value as one spelling. */
export const decimalText = (v: string) => new Dec(v).toString();

function normalize(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && DECIMAL_KEYS.has(key)) return decimalText(value);
  if (Array.isArray(value)) return value.map((v) => normalize(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => !absent(v) && !SKIPPED.has(k))
        .map(([k, v]) => [k, normalize(v, k)]),
    );
  }
  return value;
}

/**
 * True when two records (or rows) say the same thing, whatever the spelling of their decimals:
 * exactly when their normalizedJson texts are equal, but compared in place, field by field,
 * without building either text (a bulk write compares 10,000 stored rows with 10,000 new ones).
 */
export function sameRecord(a: unknown, b: unknown): boolean {
  return sameValue(a, b, '');
}

function sameValue(a: unknown, b: unknown, key: string): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return DECIMAL_KEYS.has(key) && decimalText(a) === decimalText(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      // normalize() keeps an array's null and undefined, and JSON writes both as null
      if (absent(a[i]) && absent(b[i])) continue;
      if (!sameValue(a[i], b[i], '')) return false;
    }
    return true;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    // own fields only, as Object.entries gives them ("constructor" is not a field of {})
    const field = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);
    // normalize() leaves out absent fields and the bookkeeping columns, whichever side has them
    for (const k of Object.keys(x)) {
      if (SKIPPED.has(k) || absent(x[k])) continue;
      if (absent(field(y, k)) || !sameValue(x[k], y[k], k)) return false;
    }
    for (const k of Object.keys(y)) {
      if (!SKIPPED.has(k) && !absent(y[k]) && absent(field(x, k))) return false;
    }
    return true;
  }
  return false;
}

/** The canonical text of a record with its decimals normalised and bookkeeping columns left out. */
export function normalizedJson(value: unknown): string {
  return canonicalJson(normalize(value));
}
