import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';

/** A parsed OpenAPI 3.1 document (only the parts the harness reads are typed). */
export type OpenApiDocument = {
  openapi?: string;
  servers?: Array<{ url?: string }>;
  security?: Array<Record<string, string[]>>;
  tags?: Array<{ name?: string; description?: string }>;
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown> | undefined>;
  [key: string]: unknown;
};

// ajv-formats is CommonJS: under NodeNext the default import is its module object (whose `default` is the plugin).
const addFormats = addFormatsPlugin.default;

const DOC_ID = 'openapi:document';

/** RFC 6901: one path segment of a JSON pointer. */
export const pointerSegment = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

/** The value a local JSON pointer (`#/components/schemas/X` or `/paths/...`) names in the document. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  const parts = pointer.replace(/^#/, '').split('/').slice(1);
  let node: unknown = doc;
  for (const raw of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node;
}

/** An object the document states in place or by `$ref` (responses, parameters, examples may be components). */
export function deref<T>(doc: unknown, node: T | { $ref: string }): T | undefined {
  let current: unknown = node;
  for (let hops = 0; hops < 10 && current && typeof current === 'object' && '$ref' in current; hops++)
    current = resolvePointer(doc, String((current as { $ref: string }).$ref));
  return current as T | undefined;
}

export const formatAjvErrors = (errors: readonly ErrorObject[] | null | undefined): string[] =>
  (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${paramsNote(e)}`);

function paramsNote(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `: ${String(p.additionalProperty)}`;
  if (e.keyword === 'enum' || e.keyword === 'const') return `: ${JSON.stringify(p.allowedValues ?? p.allowedValue)}`;
  return '';
}

/**
 * The schemas of one OpenAPI 3.1 document as JSON Schema 2020-12 validators (OpenAPI 3.1's dialect), with formats:
 * any schema of the document is compiled from its JSON pointer, so `$ref`s to components resolve as in the document.
 */
export class DocumentSchemas {
  readonly #ajv: Ajv2020;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApiDocument) {
    // strict: false, because OpenAPI adds keywords (example, discriminator, xml, externalDocs) and formats (int32…)
    // JSON Schema does not know: they describe, they do not constrain.
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
    addFormats(this.#ajv);
    this.#ajv.addSchema(structuredClone(doc), DOC_ID);
  }

  /** The validator of the schema at `pointer` (e.g. `/components/schemas/Error`). */
  at(pointer: string): ValidateFunction {
    let v = this.#compiled.get(pointer);
    if (!v) {
      v = this.#ajv.compile({ $ref: `${DOC_ID}#${encodeURI(pointer)}` });
      this.#compiled.set(pointer, v);
    }
    return v;
  }

  /** The problems of `value` against the schema at `pointer`, one line each; empty when it matches. */
  problems(pointer: string, value: unknown): string[] {
    const v = this.at(pointer);
    return v(value) ? [] : formatAjvErrors(v.errors);
  }
}
