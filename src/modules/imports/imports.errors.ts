import { createErrorFactory } from '../../shared/errors.js';

export const schemeChangeForbidden = createErrorFactory({
  code: 'forbidden',
  status: 403,
  message: (effectiveFrom: string) => `the document's scheme differs from the one in force for ${effectiveFrom}; only an admin may change the scheme`,
  path: 'scheme',
});
export const individualsForbidden = createErrorFactory({
  code: 'forbidden',
  status: 403,
  message: (period: string, _index: number) =>
    `period ${period}: individual (tier-2) records are entered by an admin or the department heads, not a finance key; leave out individuals (the stored records are kept)`,
  path: (_period: string, index: number) => `periods[${index}].individuals`,
});
export const assessmentForbidden = createErrorFactory({
  code: 'forbidden',
  status: 403,
  message: () => "the document's assessment differs from the stored one; only an admin may change scorecards, values and defects by import",
  path: 'assessment',
});
