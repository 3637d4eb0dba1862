/**
 * The JSON Schema of one check, per type: each type has its own closed schema, so a misspelt
 * field is reported as unknown instead of being ignored. Compiled ahead of time into
 * check-validators.generated.cjs (scripts/gen-check-validators.ts); schema.ts reads the errors.
 */
import { CHECK_TYPES, HTTP_METHODS, type CheckType } from './definitions';

const statusItem = {
  anyOf: [
    { type: 'integer', minimum: 100, maximum: 599 },
    { type: 'string', pattern: '^([1-5]xx|[1-5][0-9][0-9])$' },
  ],
};
const statusSpec = {
  description: "an HTTP status (100–599), a class such as '2xx', or a list of them",
  anyOf: [statusItem, { type: 'array', minItems: 1, items: statusItem }],
};
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const headerValue = {
  description: 'a string, {value: …, secret: true} or {env: VARIABLE_NAME}',
  anyOf: [
    { type: ['string', 'number'] },
    {
      type: 'object',
      properties: { value: { type: 'string' }, secret: { type: 'boolean' } },
      required: ['value'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { env: { type: 'string', pattern: ENV_NAME }, secret: { type: 'boolean' } },
      required: ['env'],
      additionalProperties: false,
    },
  ],
};
const headers = { type: 'object', additionalProperties: headerValue };
const url = { type: 'string', minLength: 1 };
const method = { type: 'string', enum: [...HTTP_METHODS] };
const body = {
  description: 'a string, or an object/array sent as JSON',
  anyOf: [{ type: 'string' }, { type: 'object' }, { type: 'array' }],
};
const trust = { 'ca-file': { type: 'string', minLength: 1 }, insecure: { type: 'boolean' } };
const common = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  type: { type: 'string', enum: [...CHECK_TYPES] },
  'timeout-ms': { type: 'integer', minimum: 1, maximum: 600_000 },
  'max-attempts': { type: 'integer', minimum: 1, maximum: 10_000 },
};

const expect = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: statusSpec,
    'body-contains': {
      description: 'a string or a list of strings',
      anyOf: [
        { type: 'string', minLength: 1 },
        { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
      ],
    },
    'body-matches': { type: 'string', minLength: 1 },
    json: { type: 'object' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    'max-latency-ms': { type: 'integer', minimum: 1 },
  },
};

function closed(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, required, properties: { ...common, ...properties } };
}

export const CHECK_SCHEMAS: Record<CheckType, Record<string, unknown>> = {
  http: closed({ url, method, headers, body, expect, ...trust }, ['url']),
  'https-redirect': closed({ url, headers, location: { type: 'string', minLength: 1 } }, ['url']),
  hsts: closed(
    {
      url,
      headers,
      'min-max-age': { type: 'integer', minimum: 0 },
      'include-subdomains': { type: 'boolean' },
      preload: { type: 'boolean' },
      ...trust,
    },
    ['url'],
  ),
  tls: closed({
    url,
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65_535 },
    servername: { type: 'string', minLength: 1 },
    'min-days-valid': { type: 'integer', minimum: 0, maximum: 3650 },
    ...trust,
  }),
  'rate-limit': closed(
    {
      url,
      method,
      headers,
      body,
      requests: { type: 'integer', minimum: 1, maximum: 1000 },
      concurrency: { type: 'integer', minimum: 1, maximum: 100 },
      'expect-status': statusSpec,
      ...trust,
    },
    ['url'],
  ),
  tcp: closed({ host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 1, maximum: 65_535 } }, ['host', 'port']),
  postgres: closed({ 'url-env': { type: 'string', pattern: ENV_NAME } }, ['url-env']),
};

export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;

/** The name each type's validator is exported under in the generated module (identifiers only). */
export function validatorExportName(type: CheckType): string {
  return type.replace(/-/g, '_');
}
