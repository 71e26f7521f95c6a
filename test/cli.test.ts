import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResult } from './fixtures/compare.js';

/**
 * The command line as a user runs it (contract.md §3): `perfpay simulate <file|->` prints the
 * result document on stdout and exits 0; a scenario that breaks a rule of allocation-rules.md §5
 * prints `{"error": {code, message, path}}` on stdout and exits 2; 1 only for an internal fault.
 */

type Doc = Record<string, any>;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'perfpay.mjs');
const SCENARIO_FILE = join(ROOT, 'examples', 'worked-example.scenario.json');
const SCENARIO_TEXT = readFileSync(SCENARIO_FILE, 'utf8');
const EXPECTED = JSON.parse(readFileSync(join(ROOT, 'examples', 'worked-example.result.json'), 'utf8')) as Doc;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfpay-cli-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function perfpay(args: string[], input?: string | Buffer): SpawnSyncReturns<string> {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.error) throw r.error;
  return r;
}

let fileCounter = 0;
function writeScenario(content: string | Buffer, name = `scenario-${++fileCounter}.json`): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

function example(): Doc {
  return JSON.parse(SCENARIO_TEXT) as Doc;
}

function mutated(mutate: (doc: Doc) => void): Doc {
  const doc = example();
  mutate(doc);
  return doc;
}

/** stderr must never carry a stack trace or an internal error. */
function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at\s/m);
  expect(stderr).not.toMatch(/EngineError|internal error|TypeError|ReferenceError/);
}

interface ErrorOutput {
  error: { code: string; message: string; path: string; details?: unknown[] };
}

function expectRejected(r: SpawnSyncReturns<string>, code: string, path?: string | RegExp): ErrorOutput {
  expect(r.status, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(2);
  expectNoStack(r.stderr);
  const out = JSON.parse(r.stdout) as ErrorOutput;
  expect(Object.keys(out)).toEqual(['error']);
  expect(out.error.code).toBe(code);
  expect(typeof out.error.message).toBe('string');
  expect(out.error.message.length).toBeGreaterThan(0);
  expect(typeof out.error.path).toBe('string');
  if (typeof path === 'string') expect(out.error.path).toBe(path);
  else if (path) expect(out.error.path).toMatch(path);
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('perfpay simulate on the worked example', () => {
  it('exits 0 and prints a result document that reproduces every amount of the worked result', () => {
    const r = perfpay(['simulate', SCENARIO_FILE]);
    expect(r.status, r.stderr).toBe(0);
    expectNoStack(r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    // more fields may be added (contract.md §2); none of the listed ones may differ
    expect(doc).toMatchObject(EXPECTED);
    expect(doc.results).toHaveLength(EXPECTED.results.length);
    for (const [i, period] of (EXPECTED.results as Doc[]).entries()) {
      expect(doc.results[i].departments).toHaveLength(period.departments.length);
      expect(doc.results[i].individuals).toHaveLength(period.individuals.length);
    }
  });

  it('accepts a relative path from the working directory', () => {
    const r = perfpay(['simulate', 'examples/worked-example.scenario.json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(EXPECTED);
  });

  it('reads the scenario from stdin with "-"', () => {
    const r = perfpay(['simulate', '-'], SCENARIO_TEXT);
    expect(r.status, r.stderr).toBe(0);
    expectNoStack(r.stderr);
    expect(JSON.parse(r.stdout)).toMatchObject(EXPECTED);
  });

  it('accepts a file that starts with a UTF-8 byte-order mark', () => {
    const file = writeScenario(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SCENARIO_TEXT, 'utf8')]));
    const r = perfpay(['simulate', file]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(EXPECTED);
  });

  it('accepts a UTF-8 byte-order mark on stdin', () => {
    const r = perfpay(['simulate', '-'], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SCENARIO_TEXT, 'utf8')]));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(EXPECTED);
  });

  it("--timings prints the same result, and on stderr one JSON line of each step's milliseconds", () => {
    const plain = perfpay(['simulate', SCENARIO_FILE]);
    for (const r of [perfpay(['simulate', '--timings', SCENARIO_FILE]), perfpay(['simulate', '--timings', '-'], SCENARIO_TEXT)]) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(plain.stdout);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      const { timingsMs } = JSON.parse(lines[0]!) as { timingsMs: Record<string, number> };
      expect(Object.keys(timingsMs)).toEqual(['start', 'read', 'parse', 'validate', 'settle', 'write']);
      for (const ms of Object.values(timingsMs)) {
        expect(Number.isFinite(ms)).toBe(true);
        expect(ms).toBeGreaterThanOrEqual(0);
      }
      // the process has run for some time before the command line (Node and the bundle loading)
      expect(timingsMs.start).toBeGreaterThan(0);
    }
  });

  it('keeps Chinese names intact in the output', () => {
    const r = perfpay(['simulate', SCENARIO_FILE]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    const names = new Map((example().staff as Doc[]).map((s) => [s.id as string, s.name as string]));
    const q1 = doc.results[0] as Doc;
    for (const line of q1.individuals as Doc[]) {
      if ('name' in line) expect(line.name).toBe(names.get(line.staffId));
    }
    expect(r.stdout).toContain('院长甲');
    expect(r.stdout).not.toContain('\ufffd');
  });

  it('keeps Chinese department codes intact, from a file and from stdin', () => {
    const text = SCENARIO_TEXT.replaceAll('"IM"', '"内科"');
    for (const r of [perfpay(['simulate', writeScenario(text)]), perfpay(['simulate', '-'], text)]) {
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as Doc;
      const codes = (doc.results[0].departments as Doc[]).map((d) => d.code);
      expect(codes).toContain('内科');
      expect(codes).not.toContain('IM');
      expect((doc.results[0].individuals as Doc[]).find((i) => i.staffId === 'S11')!.department).toBe('内科');
      // renaming a department changes no amount of the department itself
      const im = (EXPECTED.results[0].departments as Doc[]).find((d) => d.code === 'IM')!;
      const zh = (doc.results[0].departments as Doc[]).find((d) => d.code === '内科')!;
      expect(zh.gross).toBe(im.gross);
    }
  });

  it('keeps Chinese text intact in an error message', () => {
    const r = perfpay(['simulate', '-'], JSON.stringify(mutated((d) => (d.staff[3].department = '急诊科'))));
    const out = expectRejected(r, 'unknown_reference', 'staff[3].department');
    expect(out.error.message).toContain('急诊科');
  });
});

// ---------------------------------------------------------------------------------------------

describe('documents that cannot be read', () => {
  it('broken JSON → exit 2, invalid_document', () => {
    const r = perfpay(['simulate', writeScenario(SCENARIO_TEXT.slice(0, 200))]);
    expectRejected(r, 'invalid_document');
  });

  it('broken JSON on stdin → exit 2, invalid_document', () => {
    const r = perfpay(['simulate', '-'], '{"hospital": ');
    expectRejected(r, 'invalid_document');
  });

  it('an empty file → exit 2, invalid_document', () => {
    expectRejected(perfpay(['simulate', writeScenario('')]), 'invalid_document');
  });

  it('a missing file → exit 2, naming the file', () => {
    const missing = join(dir, 'no-such-scenario.json');
    const out = expectRejected(perfpay(['simulate', missing]), 'invalid_document');
    expect(out.error.message).toContain('no-such-scenario.json');
  });

  it('a directory instead of a file → exit 2', () => {
    expectRejected(perfpay(['simulate', dir]), 'invalid_document');
  });

  it('a JSON document that is not an object → exit 2, invalid_document', () => {
    for (const text of ['[]', 'null', '"scenario"', '42']) {
      expectRejected(perfpay(['simulate', '-'], text), 'invalid_document', '');
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('every class of §5 error → exit 2 with the error object on stdout', () => {
  const cases: { code: string; path: string | RegExp; mutate: (d: Doc) => void }[] = [
    { code: 'missing_field', path: 'periods[0].workingDays', mutate: (d) => delete d.periods[0].workingDays },
    {
      code: 'unknown_field',
      path: 'periods[0].individuals[0].workloadscore',
      mutate: (d) => {
        d.periods[0].individuals[0].workloadscore = '36';
        delete d.periods[0].individuals[0].workloadScore;
      },
    },
    { code: 'invalid_type', path: 'periods[0].departments[1].totalCost', mutate: (d) => (d.periods[0].departments[1].totalCost = 2500000) },
    { code: 'invalid_value', path: 'departments[5].riskCoefficient', mutate: (d) => (d.departments[5].riskCoefficient = '0') },
    { code: 'invalid_enum', path: 'staff[0].titleGrade', mutate: (d) => (d.staff[0].titleGrade = 'professor') },
    { code: 'duplicate', path: 'staff[14].id', mutate: (d) => d.staff.push({ ...d.staff[4] }) },
    { code: 'unknown_reference', path: 'periods[0].individuals[0].staffId', mutate: (d) => (d.periods[0].individuals[0].staffId = 'S99') },
    { code: 'not_applicable', path: 'periods[0].departments[0].adminDeductions', mutate: (d) => (d.periods[0].departments[0].adminDeductions = '1') },
    { code: 'missing_inputs', path: /^periods\[0\]\.departments/, mutate: (d) => d.periods[0].departments.splice(2, 1) },
    { code: 'invalid_scheme', path: /^scheme\.costCoefficientBounds/, mutate: (d) => (d.scheme.costCoefficientBounds = { min: '2', max: '1' }) },
    // issue #13 items 28 and 20: a rate above 1, and an amount the store could not hold
    { code: 'invalid_scheme', path: 'scheme.reserveRate', mutate: (d) => (d.scheme.reserveRate = '2') },
    { code: 'invalid_value', path: 'periods[0].departments[2].inventoryLoss', mutate: (d) => (d.periods[0].departments[2].inventoryLoss = '999999999999999999') },
    {
      code: 'out_of_range',
      path: 'periods[0].departments[0]',
      mutate: (d) => (d.periods[0].departments[0].outpatientFee = { actual: '999999999999999999', target: '0.0000000000000001' }),
    },
    {
      code: 'no_eligible_staff',
      path: /^(staff|periods\[0\])/,
      mutate: (d) => {
        for (const s of d.staff as Doc[]) s.employment = 'lump_sum';
      },
    },
    {
      code: 'no_clinical_staff',
      path: /^periods\[0\]/,
      mutate: (d) => {
        for (const s of d.staff as Doc[]) if (['IM', 'PED', 'SUR'].includes(s.department)) s.employment = 'probation';
      },
    },
    { code: 'negative_distributable', path: 'periods[0].adjustment', mutate: (d) => (d.periods[0].adjustment = '-390000.01') },
    {
      code: 'leader_bonus_exceeds_pool',
      path: /^(periods\[0\]|scheme\.positions)/,
      // bonus rates are at most 1: every member a hospital leader at rate 1, the distributable one cent short
      mutate: (d) => {
        for (const s of d.staff) s.position = 'hospital_leader';
        d.scheme.positions = { hospital_leader: { bonusRate: '1' } };
        d.periods[0].adjustment = '-0.01';
        for (const r of d.periods[0].individuals) delete r.managerAssessmentPassed;
      },
    },
    {
      code: 'zero_total_score',
      path: /^periods\[0\]/,
      mutate: (d) => {
        for (const r of d.periods[0].departments as Doc[]) if (r.code !== 'MA') r.medicalRevenue = '0.00';
      },
    },
    { code: 'no_settled_quarter', path: /^annual/, mutate: (d) => (d.annual.year = 2025) },
    { code: 'negative_fund', path: 'annual.adjustment', mutate: (d) => (d.annual.adjustment = '-405000.01') },
  ];

  for (const c of cases) {
    it(`${c.code} (from a file)`, () => {
      const r = perfpay(['simulate', writeScenario(JSON.stringify(mutated(c.mutate), null, 1))]);
      const out = expectRejected(r, c.code, c.path);
      expect(r.stdout).not.toContain('"results"');
      expect(out.error.path.length).toBeGreaterThan(0);
    });
  }

  it('the same error from stdin as from a file', () => {
    const text = JSON.stringify(mutated((d) => (d.periods[0].individuals[0].errors = '1')));
    const a = perfpay(['simulate', '-'], text);
    const b = perfpay(['simulate', writeScenario(text)]);
    const out = expectRejected(a, 'invalid_type', 'periods[0].individuals[0].errors');
    expect(out.error.message).toContain('staff S11');
    expect(JSON.parse(b.stdout)).toEqual(out);
    expect(b.status).toBe(2);
  });

  it('several structural problems → details on stdout', () => {
    const r = perfpay(
      ['simulate', '-'],
      JSON.stringify(
        mutated((d) => {
          d.periods[0].departments[1].totalCost = 2500000;
          d.staff[0].titleGrade = 'professor';
        }),
      ),
    );
    expect(r.status).toBe(2);
    expectNoStack(r.stderr);
    const out = JSON.parse(r.stdout) as ErrorOutput;
    expect(['invalid_type', 'invalid_enum']).toContain(out.error.code);
    expect(out.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'invalid_type', path: 'periods[0].departments[1].totalCost' }),
        expect.objectContaining({ code: 'invalid_enum', path: 'staff[0].titleGrade' }),
      ]),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('perfpay simulate on the assessment example (assessment.md)', () => {
  const file = join(ROOT, 'examples', 'assessment-example.scenario.json');
  const expected = JSON.parse(readFileSync(join(ROOT, 'examples', 'assessment-example.result.json'), 'utf8')) as Doc;

  it('reproduces examples/assessment-example.result.json', () => {
    const r = perfpay(['simulate', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(compareResult(expected, JSON.parse(r.stdout))).toEqual([]);
  });

  it.each([
    ['missing_assessment_value', 'assessment.values', (d: Doc): void => void d.assessment.values.splice(1, 1)],
    [
      'derived_field_given',
      'periods[0].individuals[0].errors',
      (d: Doc): void => {
        d.periods[0].individuals[0].errors = 1;
      },
    ],
    [
      'duplicate',
      'assessment.departmentDefects[1].id',
      (d: Doc): void => {
        d.assessment.departmentDefects[1].id = 'DD01';
      },
    ],
  ] as const)('%s → exit 2 with the error object on stdout', (code, path, mutate) => {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Doc;
    mutate(doc);
    expectRejected(perfpay(['simulate', writeScenario(JSON.stringify(doc))]), code, path);
  });
});

describe('usage', () => {
  // a usage error exits 2, as a refused scenario does; 1 is an internal fault
  it('no arguments → usage and exit 2', () => {
    const r = perfpay([]);
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/usage/i);
    expect(r.stdout + r.stderr).toContain('simulate');
    expectNoStack(r.stderr);
  });

  it('an unknown command → usage and exit 2', () => {
    const r = perfpay(['settle', SCENARIO_FILE]);
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/usage/i);
    expectNoStack(r.stderr);
  });

  it('simulate without a file → usage and exit 2', () => {
    const r = perfpay(['simulate']);
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/usage/i);
  });

  it('simulate with two files → usage and exit 2', () => {
    const r = perfpay(['simulate', SCENARIO_FILE, SCENARIO_FILE]);
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/usage/i);
  });

  it('--timings without a file, or after the file → usage and exit 2', () => {
    for (const args of [
      ['simulate', '--timings'],
      ['simulate', SCENARIO_FILE, '--timings'],
    ]) {
      const r = perfpay(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/usage/i);
    }
  });

  it('a file named --timings is read when given as ./--timings', () => {
    const file = writeScenario(SCENARIO_TEXT, '--timings');
    const r = spawnSync(process.execPath, [BIN, 'simulate', './--timings'], { cwd: dirname(file), encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(EXPECTED);
  });

  it('--help → usage on stdout, exit 0', () => {
    const r = perfpay(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage/i);
    expect(r.stdout).toContain('simulate');
    expectNoStack(r.stderr);
  });
});
