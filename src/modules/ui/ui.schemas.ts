import { Type } from '@sinclair/typebox';

/**
 * The review pages' parts as the routes take them: every field text, optional where a form or a
 * link may leave it out, and unknown fields let through. A page checks what it uses itself (a run
 * id that is not a UUID is a page not found, a period in the wrong form a page's error), so these
 * schemas refuse only what is not text at all (a field sent twice, a NUL character), and the
 * pages' error handler (ui.routes.ts) answers even that with a page in the person's language.
 * They are hidden from the OpenAPI document: the pages are not the API.
 */
const Text = Type.Optional(Type.String());

/** `?lang=` on every page: en or zh, kept in a cookie (anything else is ignored). */
export const PageQuery = Type.Object({ lang: Text });
/** What the action before this page did (`?done=started`): a page shows only the words it knows. */
export const DoneQuery = Type.Object({ lang: Text, done: Text });
export const RunsQuery = Type.Object({ lang: Text, done: Text, defect: Text, hospital: Text });
export const ExportQuery = Type.Object({ lang: Text, department: Text });
export const AuditQuery = Type.Object({ lang: Text, hospital: Text, actor: Text, action: Text, entityType: Text, entityKey: Text, from: Text, to: Text, afterSeq: Text });

export const AssessmentQuery = Type.Object({ lang: Text, done: Text, defect: Text, quarter: Text, hospital: Text });
export const GridQuery = Type.Object({ lang: Text, done: Text, defect: Text, month: Text, period: Text, hospital: Text, written: Text, unchanged: Text });
export const AppealsQuery = Type.Object({ lang: Text, done: Text, defect: Text, hospital: Text });

export const RunParams = Type.Object({ id: Type.String() });
export const DepartmentParams = Type.Object({ id: Type.String(), code: Type.String() });
export const AssessmentParams = Type.Object({ department: Type.String() });
export const AppealParams = Type.Object({ id: Type.String() });
export const PersonParams = Type.Object({ id: Type.String(), staffId: Type.String() });

/** Every form carries its token (`csrf`); the page checks it before it reads any other field. */
export const SignInForm = Type.Object({ csrf: Text, key: Text });
export const StartForm = Type.Object({ csrf: Text, hospital: Text, period: Text, force: Text });
/** A review's fields go on to the same check as the API's body (an unknown field is refused there). */
export const ReviewForm = Type.Object({ csrf: Text, status: Text, reason: Text });
export const ApproveForm = Type.Object({ csrf: Text, overrideReason: Text });
/** An appeal of a defect from a department's page, and an admin's decision from the queue (the use cases check the values). */
export const AppealForm = Type.Object({ csrf: Text, kind: Text, defectId: Text, reason: Text, quarter: Text, hospital: Text });
export const DecisionForm = Type.Object({ csrf: Text, decision: Text, reason: Text, hospital: Text });
/** A period's grid posted whole: its cells (`v.<department>.<indicator>`) are let through and read by the use case. */
export const GridForm = Type.Object({ csrf: Text, month: Text, period: Text, hospital: Text }, { additionalProperties: Type.String() });
/** A defect booked from the grid's page (the use case checks the values as the API's body). */
export const DefectForm = Type.Object({ csrf: Text, hospital: Text, period: Text, kind: Text, target: Text, month: Text, indicator: Text, category: Text, points: Text, note: Text, owner: Text });
