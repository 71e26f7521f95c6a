import type { Db } from '../../db/client.js';
import { notFound } from '../../shared/errors.js';
import { differentKinds, noResult } from './settlements.errors.js';
import type { Caller } from '../../shared/principal.js';
import { readableDepartments } from '../access/access.js';
import { runInputs } from './settlements.repository.js';
import { runWithResult } from './settlements.usecases.js';

type Deps = { db: Db; caller: Caller };
type Row = Record<string, unknown>;

/** What a run stored of its inputs (a quarter's scenario document), as far as the comparison reads it. */
interface StoredInputs {
  scheme?: Row;
  departments?: Row[];
  staff?: Row[];
  periods?: (Row & { departments?: Row[]; individuals?: Row[] })[];
  annual?: Row;
}
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

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

/** The records that differ between two lists, each named by its label (its key field) and the fields that changed. */
function diffRecords<T, L extends Row>(
  a: T[] | undefined,
  b: T[] | undefined,
  key: (r: T) => string,
  keyName: string,
  labelOf: (r: T, k: string) => L,
  flatten: (r: T) => Row = (r) => r as Row,
): (L & { change: 'added' | 'removed' | 'changed'; fields: Change[] })[] {
  const left = byKey(a, key);
  const right = byKey(b, key);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  return keys.flatMap((k) => {
    const x = left.get(k);
    const y = right.get(k);
    const fields = changes(x ? flatten(x) : undefined, y ? flatten(y) : undefined).filter((c) => c.field !== keyName);
    if (fields.length === 0) return [];
    return [{ ...labelOf((x ?? y)!, k), change: !x ? ('added' as const) : !y ? ('removed' as const) : ('changed' as const), fields }];
  });
}

/**
 * GET /v1/settlements/{a}/diff/{b}: what differs between two runs of the same hospital — the
 * summary, each department's and each person's amounts, and the inputs behind them (scheme,
 * departments, staff, the quarter's figures and records, the opening bank).
 */
export async function diffRuns(deps: Deps, a: string, b: string) {
  const { db } = deps;
  const [left, right] = [await runWithResult(db, a), await runWithResult(db, b)];
  if (left.hospital !== right.hospital) throw notFound(`settlement ${b}`);
  if (!left.result) throw noResult(a, left.run.status, 'a');
  if (!right.result) throw noResult(b, right.run.status, 'b');
  if (left.result.kind !== right.result.kind) throw differentKinds();
  const p = deps.caller.principal;
  const mine = readableDepartments(p);
  const [inputsA, inputsB] = (await Promise.all([runInputs(db, a), runInputs(db, b)])) as (StoredInputs | null)[];
  const periodA = inputsA?.periods?.[0];
  const periodB = inputsB?.periods?.[0];
  const flatDepartment = (d: Row): Row => ({ ...d, ...(d.penalties as Row | undefined), penalties: undefined });
  const departments = diffRecords<Row, { code: string }>(
    left.result.departments,
    right.result.departments,
    (d) => text(d.code),
    'code',
    (_d, code) => ({ code }),
    flatDepartment,
  ).filter((d) => mine(d.code));
  // a line is a person in a department; it is keyed and filtered by both fields as they are, so no
  // character a staff id may hold (`X|IM`) can pass one department's line for another's
  const individuals = diffRecords<Row, { line: string; staffId: string; department: string }>(
    left.result.individuals,
    right.result.individuals,
    (l) => JSON.stringify([l.staffId, l.department]),
    'line',
    (l) => ({ line: `${text(l.staffId)}|${text(l.department)}`, staffId: text(l.staffId), department: text(l.department) }),
  ).filter((l) => mine(l.department));
  const hidePeople = p.role === 'finance';
  return {
    a: { id: left.run.id, period: left.run.period, status: left.run.status },
    b: { id: right.run.id, period: right.run.period, status: right.run.status },
    amounts: {
      summary: p.role === 'dept_head' ? [] : changes(left.result.summary, right.result.summary),
      departments,
      individuals,
    },
    inputs: {
      scheme: p.role === 'dept_head' ? [] : changes(inputsA?.scheme, inputsB?.scheme),
      departments: diffRecords(
        inputsA?.departments,
        inputsB?.departments,
        (d) => text(d.code),
        'code',
        (_d, code) => ({ code }),
      ).filter((d) => mine(d.code)),
      staff: diffRecords(
        inputsA?.staff,
        inputsB?.staff,
        (s) => text(s.id),
        'id',
        (_s, id) => ({ id }),
      ).filter((s) => p.role !== 'dept_head' || [inputsA, inputsB].some((doc) => doc?.staff?.some((x) => x.id === s.id && mine(text(x.department))))),
      quarter: p.role === 'dept_head' ? [] : changes(pick(periodA, ['period', 'revenue', 'workingDays', 'adjustment']), pick(periodB, ['period', 'revenue', 'workingDays', 'adjustment'])),
      departmentInputs: diffRecords(
        periodA?.departments,
        periodB?.departments,
        (d) => text(d.code),
        'code',
        (_d, code) => ({ code }),
      ).filter((d) => mine(d.code)),
      individuals: hidePeople
        ? []
        : diffRecords(
            periodA?.individuals,
            periodB?.individuals,
            (r) => text(r.staffId),
            'staffId',
            (_r, staffId) => ({ staffId }),
          ).filter((r) => p.role !== 'dept_head' || [inputsA, inputsB].some((doc) => doc?.staff?.some((x) => x.id === r.staffId && mine(text(x.department))))),
      openingBank: p.role === 'dept_head' ? [] : changes(left.run.openingBank as Row | undefined, right.run.openingBank as Row | undefined),
      annual: p.role === 'dept_head' ? [] : changes(inputsA?.annual, inputsB?.annual),
    },
  };
}

function pick(o: Record<string, unknown> | undefined, keys: string[]): Record<string, unknown> | undefined {
  return o ? Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]])) : undefined;
}
