import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../harness/openapi-ajv.ts';
import { openApiProblems, operationsOf } from '../harness/openapi-lint.ts';
import { createIntegration, type Integration } from './server.ts';

let omni: Integration;
let doc: OpenApiDocument;
beforeAll(async () => {
  omni = createIntegration({ scryptCost: 1024 });
  doc = (await (await omni.app.request('/openapi.json')).json()) as OpenApiDocument;
});
afterAll(() => omni?.close());

const CONFIGURATION = /^\/api\/v1\/organizations(\/|$)/;
const configuration = () => operationsOf(doc).filter((o) => CONFIGURATION.test(o.path));

describe("the configuration routes' OpenAPI entries", () => {
  it('are valid OpenAPI 3.1 and complete (operationId, tags, summary, examples valid against their schema)', async () => {
    const mine = (await openApiProblems(doc)).filter((line) => /\/api\/v1\/organizations|Omni[A-Z]\w*/.test(line));
    expect(mine, mine.join('\n')).toEqual([]);
  });

  it('name each operation area.action under an Omni menu tag', () => {
    const ops = configuration();
    expect(ops.length).toBeGreaterThanOrEqual(27);
    for (const { label, op } of ops) {
      expect([label, op.operationId]).toEqual([
        label,
        expect.stringMatching(/^(organizations|setup|users|services|pauses|tags)\.[a-z][A-Za-z]+$/),
      ]);
      expect([label, op.tags?.[0]]).toEqual([
        label,
        expect.stringMatching(/^(Empresas|Usuários|Serviços|Pausas|Tags)$/),
      ]);
    }
  });

  it('type every path parameter as a required string', () => {
    for (const { label, op } of configuration())
      for (const p of (op.parameters ?? []) as Array<{
        in: string;
        name: string;
        required?: boolean;
        schema?: { type?: unknown };
      }>)
        if (p.in === 'path')
          expect([label, p.name, p.required, p.schema?.type]).toEqual([label, p.name, true, 'string']);
  });

  it('list every status a route answers: 403 for another role or organization, 404, 409 where a write conflicts, 413 where the body has a limit', () => {
    const statuses = (path: string, method: string) =>
      Object.keys(
        operationsOf(doc).find((o) => o.path === `/api/v1${path}` && o.method === method)!.op.responses ?? {},
      );
    expect(statuses('/organizations/{orgId}/pauses/{pauseId}', 'delete')).toEqual(
      expect.arrayContaining(['200', '401', '403', '404', '422']),
    );
    expect(statuses('/organizations/{orgId}/users', 'post')).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '404', '409', '415', '422']),
    );
    expect(statuses('/organizations/{orgId}/tags/{tagId}', 'delete')).toEqual(expect.arrayContaining(['409']));
    expect(statuses('/organizations/{orgId}/certificate', 'put')).toEqual(
      expect.arrayContaining(['413', '415', '422']),
    );
    expect(statuses('/organizations/{orgId}/setup', 'post')).toEqual(expect.arrayContaining(['400', '413', '415']));
    expect(statuses('/organizations', 'post')).toEqual(expect.arrayContaining(['201', '401', '403', '409', '422']));
  });

  it("publishes an organization's certificate as nullable (it is null until uploaded)", () => {
    const org = doc.components?.schemas?.OmniOrganization as { properties: { certificate: unknown } };
    expect(org.properties.certificate).toEqual({
      anyOf: [{ $ref: '#/components/schemas/OmniCertificate' }, { type: 'null' }],
    });
  });

  it('needs the operator credential to create an organization, and accepts it or a session to list them', () => {
    const op = (method: string) =>
      operationsOf(doc).find((o) => o.path === '/api/v1/organizations' && o.method === method)!.op;
    expect(op('post').security).toEqual([{ operator: [] }]);
    expect(op('get').security).toEqual([{ operator: [] }, { session: [] }]);
    expect(doc.components?.securitySchemes).toHaveProperty(
      'operator',
      expect.objectContaining({ in: 'header', name: 'X-Omni-Operator-Token' }),
    );
  });
});
