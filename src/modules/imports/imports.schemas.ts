import { Type } from '@sinclair/typebox';
import { ScenarioSchema } from '../../core/index.js';
import { describeBounds } from '../../shared/schema-bounds.js';

/** The scenario document as the API takes it: the engine's schema, its bounds in the descriptions (src/core/bounds.ts). */
export const ScenarioBody = describeBounds(ScenarioSchema, { scheme: 'scheme', staff: 'staff.*' });

const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer() });
const Changed = Type.Union([Type.Literal('changed'), Type.Literal('unchanged'), Type.Literal('absent')]);

export const ImportOutcome = Type.Object(
  {
    hospital: Type.String(),
    changed: Type.Boolean({ description: 'false: the document matched what is stored, and nothing was written' }),
    scheme: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged')]),
    departments: Counts,
    staff: Counts,
    periods: Type.Object({ changed: Type.Array(Type.String()), unchanged: Type.Array(Type.String()) }),
    annual: Changed,
    disputes: Type.Object({ written: Type.Integer({ description: 'written as a new version (new, or different)' }), unchanged: Type.Integer() }),
    assessment: Type.Optional(
      Type.Object(
        {
          scorecards: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged')]),
          values: Type.Object({ written: Type.Integer(), unchanged: Type.Integer() }),
          defects: Type.Object({ written: Type.Integer({ description: 'written as a new version (new, or different)' }), unchanged: Type.Integer() }),
        },
        { description: "with the document's `assessment`: its scorecards (the version in force from the document's first quarter), values and defects" },
      ),
    ),
  },
  { description: 'what an import changed' },
);
