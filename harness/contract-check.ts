import type { OpenApiDocument } from './openapi-ajv.ts';
import { type ContractViolation, ResponseContract } from './response-contract.ts';

/**
 * The contract check: every response a service started by the harness answers is checked against that service's own
 * published OpenAPI document (see ResponseContract), so the document cannot drift from the service.
 *
 * `DS_HARNESS_CONTRACT_CHECK`: `enforce` fails the test in which a violation happened (the vitest setup file does
 * that), `report` collects them all and prints a table at the end, `off` checks nothing. Default: `enforce` under
 * vitest, `off` elsewhere (benchmarks measure the service, not the check).
 */
export type ContractCheckMode = 'enforce' | 'report' | 'off';

const MODES: readonly ContractCheckMode[] = ['enforce', 'report', 'off'];

export function contractCheckMode(env: NodeJS.ProcessEnv = process.env): ContractCheckMode {
  const value = env.DS_HARNESS_CONTRACT_CHECK;
  if (value === undefined || value === '') return env.VITEST ? 'enforce' : 'off';
  if (!(MODES as readonly string[]).includes(value))
    throw new Error(`DS_HARNESS_CONTRACT_CHECK=${value} is not a mode; use one of ${MODES.join(', ')}`);
  return value as ContractCheckMode;
}

/** A violation and the service that answered it. */
export type RecordedViolation = ContractViolation & { service: string };

let recorded: RecordedViolation[] = [];

/** The violations recorded since the last call (the vitest setup takes them after each test). */
export function takeContractViolations(): RecordedViolation[] {
  const taken = recorded;
  recorded = [];
  return taken;
}

type Fetch = (request: Request, ...rest: unknown[]) => Response | Promise<Response>;
/** A Hono app (method syntax: any app's `fetch`, whatever its bindings, fits). */
type CheckableApp = { fetch(request: Request, ...rest: never[]): Response | Promise<Response> };

/** One compiled contract per distinct document (every simulator a worker starts publishes the same one). */
const contracts = new Map<string, ResponseContract>();

function contractFor(doc: OpenApiDocument): ResponseContract {
  // `servers` names the origin the document was fetched from: the rest is what identifies it.
  const key = JSON.stringify({ ...doc, servers: undefined });
  let contract = contracts.get(key);
  if (!contract) {
    contract = new ResponseContract(doc);
    contracts.set(key, contract);
  }
  return contract;
}

export type ContractCheckOptions = {
  /** Names the service in reports (`dialer`, `omni`…). */
  service: string;
  /** The document to check against; default: the app's own GET /openapi.json. */
  document?: () => object | Promise<object>;
  /** Where violations go; default: the list `takeContractViolations` empties. */
  onViolation?: (v: RecordedViolation) => void;
  /** Default: contractCheckMode(). */
  mode?: ContractCheckMode;
};

/**
 * Checks every response of `app` against its document from now on, by wrapping the app's `fetch` (which `request`,
 * and a server given `app.fetch` afterwards, go through). A JSON body is read before it is passed on, so a violation
 * is recorded before the client sees the answer (and so within the test that caused it); a stream is not read.
 * Does nothing when the mode is `off`.
 */
export function installContractCheck<A extends CheckableApp>(app: A, opts: ContractCheckOptions): void {
  if ((opts.mode ?? contractCheckMode()) === 'off') return;
  const original = app.fetch.bind(app) as Fetch;
  const record = opts.onViolation ?? ((v: RecordedViolation) => recorded.push(v));
  let contract: Promise<ResponseContract> | undefined;
  const load = () => {
    contract ??= Promise.resolve(
      opts.document
        ? opts.document()
        : Promise.resolve(original(new Request('http://localhost/openapi.json'))).then(
            (res) => res.json() as Promise<OpenApiDocument>,
          ),
    ).then((doc) => contractFor(doc as OpenApiDocument));
    return contract;
  };
  const checked: Fetch = async (request, ...rest) => {
    const res = await original(request, ...rest);
    const { pathname } = new URL(request.url);
    const contentType = res.headers.get('content-type');
    const streamed =
      res.body !== null && !/json/i.test(contentType ?? '') && !/^text\/(plain|csv|html)/i.test(contentType ?? '');
    const bytes = streamed || res.body === null ? undefined : new Uint8Array(await res.arrayBuffer());
    const body = bytes ? new TextDecoder().decode(bytes) : res.body === null ? '' : undefined;
    const observed = { method: request.method, path: pathname, status: res.status, contentType, body };
    let violation: ContractViolation | undefined;
    try {
      violation = (await load()).check(observed);
    } catch (err) {
      // A document that cannot be read or compiled is a gap too; the client still gets its answer.
      violation = {
        method: request.method.toUpperCase(),
        path: pathname,
        status: res.status,
        body,
        route: null,
        errors: [],
        problem: `the document could not be used to check this response: ${(err as Error).message}`,
      };
    }
    if (violation) record({ service: opts.service, ...violation });
    if (!bytes) return res;
    return new Response(bytes.byteLength === 0 && isNullBodyStatus(res.status) ? null : bytes, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
  app.fetch = checked as A['fetch'];
}

const isNullBodyStatus = (status: number) => status === 101 || status === 204 || status === 205 || status === 304;

const MAX_BODY = 600;

/** The violations, one block each: method, path, status, what is wrong, the schema's errors and the body (truncated). */
export function formatViolations(violations: readonly RecordedViolation[]): string {
  return violations
    .map((v) => {
      const body =
        v.body === undefined
          ? '(not read: a stream)'
          : v.body.length > MAX_BODY
            ? `${v.body.slice(0, MAX_BODY)}…`
            : v.body || '(empty)';
      return [
        `${v.service}: ${v.method} ${v.path} → ${v.status}${v.route && v.route !== v.path ? ` (operation ${v.method} ${v.route})` : ''}`,
        `  ${v.problem}`,
        ...v.errors.map((e) => `    - ${e}`),
        `  body: ${body}`,
      ].join('\n');
    })
    .join('\n\n');
}

/** The violations grouped by service, operation, status and problem, most frequent first: the worklist. */
export function summarizeViolations(violations: ReadonlyArray<RecordedViolation & { test?: string }>): string {
  const groups = new Map<string, { count: number; tests: Set<string>; errors: Set<string> }>();
  for (const v of violations) {
    const key = `${v.service}\t${v.method} ${v.route ?? v.path}\t${v.status}\t${v.problem}`;
    const g = groups.get(key) ?? { count: 0, tests: new Set(), errors: new Set() };
    g.count++;
    if (v.test) g.tests.add(v.test);
    for (const e of v.errors) g.errors.add(e);
    groups.set(key, g);
  }
  const rows = [...groups].sort(([a, x], [b, y]) => a.localeCompare(b) || y.count - x.count);
  const lines = rows.map(([key, g]) => {
    const [service, operation, status, problem] = key.split('\t');
    const errors = [...g.errors]
      .slice(0, 3)
      .map((e) => `\n      - ${e}`)
      .join('');
    const example = [...g.tests][0];
    return `${service} ${operation} → ${status} ×${g.count}: ${problem}${errors}${example ? `\n      e.g. in "${example}"` : ''}`;
  });
  return `${groups.size} contract gap(s) in ${violations.length} response(s):\n${lines.join('\n')}`;
}
