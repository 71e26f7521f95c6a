/**
 * Every way a scenario or a run can fail, as a value with a stable code, a message a finance
 * officer can act on, and the path of the offending record and field (allocation-rules.md §5).
 */
export type EngineErrorCode =
  | 'invalid_document'
  | 'missing_field'
  | 'unknown_field'
  | 'invalid_type'
  | 'invalid_value'
  | 'invalid_enum'
  | 'duplicate'
  | 'unknown_reference'
  | 'not_applicable'
  | 'missing_inputs'
  | 'invalid_scheme'
  | 'no_eligible_staff'
  | 'no_clinical_staff'
  | 'negative_distributable'
  | 'leader_bonus_exceeds_pool'
  | 'zero_total_score'
  | 'no_settled_quarter'
  | 'negative_fund'
  | 'previous_quarter_not_settled'
  | 'invariant_broken'
  | 'out_of_range'
  | 'missing_assessment_value'
  | 'derived_field_given';

export interface ErrorDetail {
  code: EngineErrorCode;
  message: string;
  path: string;
}

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly path: string;
  readonly details: ErrorDetail[];

  constructor(code: EngineErrorCode, message: string, path: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.path = path;
    this.details = details;
  }

  toJSON(): { error: { code: EngineErrorCode; message: string; path: string; details?: ErrorDetail[] } } {
    const error = { code: this.code, message: this.message, path: this.path };
    return { error: this.details.length > 1 ? { ...error, details: this.details } : error };
  }
}

export function fail(code: EngineErrorCode, message: string, path: string): never {
  throw new EngineError(code, message, path);
}
