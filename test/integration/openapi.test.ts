import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../scripts/openapi.js';
import { ScenarioSchema, SchemeOverrides, StaffSchema } from '../../src/core/schema.js';

/**
 * The engine's schemas as they are before any app is built, every key written out, TypeBox's
 * symbol keys too: the API's input schemas share their unannotated parts (src/shared/schema-bounds.ts).
 */
const engineSchemas = () => [ScenarioSchema, StaffSchema, SchemeOverrides].map(written);
function written(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  const entries = Reflect.ownKeys(value).map((k) => `${String(k)}=${written((value as Record<PropertyKey, unknown>)[k])}`);
  return `${Array.isArray(value) ? '[' : '{'}${entries.join(',')}${Array.isArray(value) ? ']' : '}'}`;
}
const before = engineSchemas();

describe('the committed OpenAPI document', () => {
  it('is the one the service generates (run `npm run openapi` after changing a route)', async () => {
    const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(await generateOpenApi());
  });

  it('documents the contract calls, each with a security scheme', async () => {
    const doc = JSON.parse(await generateOpenApi());
    expect(doc.openapi).toMatch(/^3\./);
    for (const [path, method] of [
      ['/v1/imports', 'post'],
      ['/v1/hospitals/{code}/settlements', 'post'],
      ['/v1/settlements/{id}', 'get'],
      ['/v1/settlements/{id}/approve', 'post'],
      ['/v1/hospitals/{code}/audit/verify', 'get'],
      ['/health', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeTruthy();
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it("building the app and its document leaves the engine's schemas as they were", async () => {
    await generateOpenApi();
    expect(engineSchemas()).toEqual(before);
  });
});
