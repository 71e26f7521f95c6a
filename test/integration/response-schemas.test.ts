import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { useTestService } from './harness.js';

/**
 * Issue #14: the answers are what the OpenAPI document says, field for field. Real answers of a
 * settled hospital (the worked example: two quarters and the year-end; the assessment example:
 * the assessment blocks; the disputes example: flags and dispute fines) are checked against the
 * committed document's schema of their operation: they validate, and they carry no field the
 * schema does not name (the run's result is written by JSON.stringify, see shared/serialize.ts).
 */

const doc = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
const example = (name: string) => JSON.parse(readFileSync(new URL(`../../examples/${name}.scenario.json`, import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<object, ReturnType<typeof ajv.compile>>();
const validatorOf = (schema: object) => {
  let v = validators.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
  return v;
};

/** The paths of fields in `value` that `schema` does not name (anyOf: the branch the value matches). */
function undocumented(value: unknown, schema: any, at = ''): string[] {
  if (value === null || typeof value !== 'object' || !schema) return [];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const match = branches.find((b: object) => validatorOf(b)(value));
    return match ? undocumented(value, match, at) : [`${at} (no branch of the union matches)`];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => undocumented(item, schema.items, `${at}[${i}]`));
  // a free-form value (an audit event's before and after: the entity as it was) names no fields
  if (!schema.properties) return [];
  return Object.entries(value).flatMap(([key, v]) => (key in schema.properties ? undocumented(v, schema.properties[key], `${at}.${key}`) : [`${at}.${key}`]));
}

function schemaOf(template: string, method = 'get', status = '200'): object {
  const schema = doc.paths[template]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no ${status} JSON schema for ${method} ${template}`);
  return schema;
}

describe('answers against the OpenAPI document', () => {
  const svc = useTestService('pglite');
  const checked: string[] = [];

  async function check(template: string, path: string, method = 'get', body?: unknown, status = 200) {
    const res = await svc.request(method.toUpperCase(), path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(status);
    const schema = schemaOf(template, method, String(status));
    const validate = validatorOf(schema);
    expect(validate(res.body), `${method} ${path}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    expect(undocumented(res.body, schema), `${method} ${path}`).toEqual([]);
    checked.push(`${method} ${template}`);
    return res.body;
  }

  async function settle(code: string, period: string) {
    const run = await check('/v1/hospitals/{code}/settlements', `/v1/hospitals/${code}/settlements`, 'post', { period }, 202);
    const done = await svc.waitForRun(run.id);
    expect(done.status).toBe('succeeded');
    return check('/v1/settlements/{id}', `/v1/settlements/${run.id}`);
  }

  it('the worked example: runs, results, lines, statements, reviews, comparison, audit', async () => {
    await check('/v1/imports', '/v1/imports', 'post', example('worked-example'));
    const q1 = await settle('XH-COUNTY', '2026Q1');
    expect(q1.result.kind).toBe('quarterly');
    await check('/v1/settlements/{id}/lines', `/v1/settlements/${q1.id}/lines`);
    await check('/v1/settlements/{id}/departments/{department}', `/v1/settlements/${q1.id}/departments/IM`);
    await check('/v1/settlements/{id}/individuals/{staffId}', `/v1/settlements/${q1.id}/individuals/S11`);
    await check('/v1/settlements/{id}/departments/{department}/statement', `/v1/settlements/${q1.id}/departments/IM/statement`);
    await check('/v1/settlements/{id}/individuals/{staffId}/statement', `/v1/settlements/${q1.id}/individuals/S11/statement`);
    await check('/v1/settlements/{id}/reviews/{department}', `/v1/settlements/${q1.id}/reviews/IM`, 'post', { status: 'acknowledged' });
    await check('/v1/settlements/{id}/reviews', `/v1/settlements/${q1.id}/reviews`);
    await check('/v1/settlements/{id}/approve', `/v1/settlements/${q1.id}/approve`, 'post');
    const q2 = await settle('XH-COUNTY', '2026Q2');
    await check('/v1/settlements/{id}/diff/{other}', `/v1/settlements/${q1.id}/diff/${q2.id}`);
    await check('/v1/settlements/{id}/what-if/{department}', `/v1/settlements/${q2.id}/what-if/IM`, 'post', { individuals: [{ staffId: 'S11', absentDays: 2 }] });
    await check('/v1/settlements/{id}/approve', `/v1/settlements/${q2.id}/approve`, 'post');
    const year = await settle('XH-COUNTY', '2026');
    expect(year.result.kind).toBe('annual');
    await check('/v1/settlements/{id}/lines', `/v1/settlements/${year.id}/lines`);
    await check('/v1/hospitals/{code}/settlements', '/v1/hospitals/XH-COUNTY/settlements');
    await check('/v1/hospitals/{code}', '/v1/hospitals/XH-COUNTY');
    await check('/v1/hospitals/{code}/periods/{period}', '/v1/hospitals/XH-COUNTY/periods/2026Q1');
    await check('/v1/hospitals/{code}/staff', '/v1/hospitals/XH-COUNTY/staff');
    await check('/v1/hospitals/{code}/departments', '/v1/hospitals/XH-COUNTY/departments');
    await check('/v1/hospitals/{code}/audit', '/v1/hospitals/XH-COUNTY/audit');
    await check('/v1/hospitals/{code}/audit/verify', '/v1/hospitals/XH-COUNTY/audit/verify');
    await check('/v1/api-keys', '/v1/api-keys', 'post', { role: 'auditor', hospital: 'XH-COUNTY', name: '审计' }, 201);
    await check('/v1/api-keys', '/v1/api-keys?hospital=XH-COUNTY');
  });

  it('the assessment and disputes examples: results with assessment blocks, flags and dispute fines', async () => {
    for (const name of ['assessment-example', 'disputes-example']) {
      // each example is the same hospital: imported under a code of its own
      const scenario = { ...example(name), hospital: { code: name.toUpperCase(), name } };
      await check('/v1/imports', '/v1/imports', 'post', scenario);
      const code = scenario.hospital.code as string;
      for (const period of scenario.periods.map((p: { period: string }) => p.period)) {
        const run = await settle(code, period);
        await check('/v1/settlements/{id}/approve', `/v1/settlements/${run.id}/approve`, 'post', { overrideReason: '已核实' });
      }
      if (scenario.annual) await settle(code, String(scenario.annual.year ?? scenario.periods[0].period.slice(0, 4)));
      await check('/v1/hospitals/{code}/disputes', `/v1/hospitals/${code}/disputes`);
    }
    expect(checked.length).toBeGreaterThan(20);
  });
});
