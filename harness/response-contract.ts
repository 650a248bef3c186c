import { DocumentSchemas, deref, type OpenApiDocument, pointerSegment } from './openapi-ajv.ts';
import { HTTP_METHODS } from './openapi-lint.ts';

/** A response as a client received it. */
export type ObservedResponse = {
  method: string;
  /** The request's path, without the query. */
  path: string;
  status: number;
  contentType: string | null;
  /** The body as text; undefined when it was not read (a stream). */
  body: string | undefined;
};

/** How a response departs from the document. */
export type ContractViolation = {
  method: string;
  path: string;
  /** The documented path template matched (`/api/v1/calls/{id}`), or none. */
  route: string | null;
  status: number;
  problem: string;
  /** The schema's complaints, one per line. */
  errors: string[];
  body: string | undefined;
};

type ResponseObject = { content?: Record<string, { schema?: unknown }> };
type Route = { template: string; pattern: RegExp; literals: number; methods: Set<string> };

/**
 * Not part of the API, so not in its document: the document itself and the page that renders it. Everything else a
 * service answers is either documented or the shared 404 ROUTE_NOT_FOUND.
 */
const UNDOCUMENTED_ON_PURPOSE = [/^\/openapi\.json$/, /^\/docs(\/.*)?$/];

/**
 * The dialer's fault injector (`/__admin/faults`) answers a rule's status, whatever the route documents, with the
 * shared error body carrying the rule's id; a `reset` rule's answer (499) is never sent. Those are the test's doing,
 * not the service's: only the error body's shape is checked.
 */
const INJECTED_FAULT_RULE = /^fault-\d+$/;
const RESET_STATUS = 499;

/**
 * Checks responses against a service's OpenAPI document: the request's method and path must name a documented
 * operation (else the answer must be 404 ROUTE_NOT_FOUND), the status must be documented for it (exactly, as `4XX`
 * or `default`), the content type must be one it documents, and a JSON body must match that status's schema. A body
 * that is not JSON (an event stream, CSV, HTML) is checked by status and content type only.
 */
export class ResponseContract {
  readonly #schemas: DocumentSchemas;
  readonly #routes: Route[];

  constructor(readonly doc: OpenApiDocument) {
    this.#schemas = new DocumentSchemas(doc);
    this.#routes = Object.entries(doc.paths ?? {})
      .map(([template, item]) => ({
        template,
        pattern: new RegExp(
          `^${template
            .split(/\{[^}]+\}/)
            .map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
            .join('[^/]+')}$`,
        ),
        literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
        methods: new Set(HTTP_METHODS.filter((m) => item[m])),
      }))
      // The most specific template wins (`/calls/active` before `/calls/{id}`), as the router decides.
      .sort((a, b) => b.literals - a.literals);
  }

  /** The violation, or undefined when the response is what the document says. */
  check(r: ObservedResponse): ContractViolation | undefined {
    const method = r.method.toLowerCase();
    if (method === 'head' || method === 'options') return undefined;
    if (UNDOCUMENTED_ON_PURPOSE.some((p) => p.test(r.path))) return undefined;
    const route = this.#routes.find((x) => x.pattern.test(r.path) && x.methods.has(method));
    const violation = (problem: string, errors: string[] = []): ContractViolation => ({
      method: r.method.toUpperCase(),
      path: r.path,
      route: route?.template ?? null,
      status: r.status,
      problem,
      errors,
      body: r.body,
    });
    const fault = this.#injectedFault(r);
    if (fault)
      return fault.length ? violation('the injected fault’s body is not the shared error body', fault) : undefined;
    if (!route) return this.#unknownRoute(r, violation);

    const pointer = `/paths/${pointerSegment(route.template)}/${method}/responses`;
    const responses = (this.doc.paths?.[route.template]?.[method] as { responses?: Record<string, unknown> })
      ?.responses;
    const key = [String(r.status), `${String(r.status)[0]}XX`, 'default'].find((k) => responses?.[k] !== undefined);
    if (!key)
      return violation(
        `status ${r.status} is not documented for this operation (documented: ${Object.keys(responses ?? {}).join(', ')})`,
      );
    const response = deref<ResponseObject>(this.doc, responses?.[key] as ResponseObject);
    const content = response?.content ?? {};
    if (Object.keys(content).length === 0)
      return r.body ? violation(`status ${r.status} is documented without a body, but one was answered`) : undefined;
    const type = mediaType(r.contentType);
    const documented = Object.keys(content).find((t) => mediaMatches(t, type));
    if (!documented)
      return violation(
        `content type ${type ?? '(none)'} is not documented for status ${r.status} (documented: ${Object.keys(content).join(', ')})`,
      );
    if (!isJson(documented) || r.body === undefined) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch (err) {
      return violation(`the body is not JSON: ${(err as Error).message}`);
    }
    if (content[documented]?.schema === undefined) return undefined;
    const errors = this.#schemas.problems(
      `${pointer}/${pointerSegment(key)}/content/${pointerSegment(documented)}/schema`,
      body,
    );
    return errors.length ? violation(`the body does not match the schema of status ${key}`, errors) : undefined;
  }

  /** Outside the document, a service answers only the shared 404 ROUTE_NOT_FOUND. */
  #unknownRoute(r: ObservedResponse, violation: (p: string, e?: string[]) => ContractViolation) {
    let code: unknown;
    try {
      code = (JSON.parse(r.body ?? '') as { error?: { code?: unknown } }).error?.code;
    } catch {
      code = undefined;
    }
    if (r.status === 404 && code === 'ROUTE_NOT_FOUND') return this.#errorBodyProblems(r.body, violation);
    return violation(
      `no documented operation matches ${r.method.toUpperCase()} ${r.path}, yet it answered ${r.status}${code ? ` ${String(code)}` : ''} (a route outside the document must answer 404 ROUTE_NOT_FOUND)`,
    );
  }

  /** Undefined when not an injected fault; else the error body's problems (empty when it is the shared body). */
  #injectedFault(r: ObservedResponse): string[] | undefined {
    if (r.status === RESET_STATUS && !r.body) return [];
    if (!r.body || !mediaType(r.contentType)?.includes('json')) return undefined;
    let body: { error?: { details?: { ruleId?: unknown } } };
    try {
      body = JSON.parse(r.body);
    } catch {
      return undefined;
    }
    const ruleId = body?.error?.details?.ruleId;
    if (typeof ruleId !== 'string' || !INJECTED_FAULT_RULE.test(ruleId)) return undefined;
    return this.doc.components?.schemas?.Error ? this.#schemas.problems('/components/schemas/Error', body) : [];
  }

  #errorBodyProblems(body: string | undefined, violation: (p: string, e?: string[]) => ContractViolation) {
    if (!this.doc.components?.schemas?.Error) return undefined;
    const errors = this.#schemas.problems('/components/schemas/Error', JSON.parse(body ?? 'null'));
    return errors.length ? violation('the 404 body is not the shared error body', errors) : undefined;
  }
}

const mediaType = (contentType: string | null) => contentType?.split(';')[0]?.trim().toLowerCase() || null;
const isJson = (type: string) => type === 'application/json' || type.endsWith('+json');

/** Whether a documented media type (`application/json`, `text/*`, `*\/*`) covers the answered one. */
function mediaMatches(documented: string, answered: string | null): boolean {
  if (!answered) return false;
  const d = documented.toLowerCase();
  if (d === '*/*' || d === answered) return true;
  return d.endsWith('/*') && answered.startsWith(d.slice(0, -1));
}
