import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { CHECK_TYPES } from './definitions';
import { AJV_OPTIONS, CHECK_SCHEMAS } from './check-schemas';
import { readFileSync } from 'node:fs';
import { GENERATED, checkValidatorsSource } from '../../../scripts/gen-check-validators';
import { pointerToField, schemaProblems } from './schema';

describe('check schemas', () => {
  it('the compiled validators are generated from these schemas (npx tsx scripts/gen-check-validators.ts)', () => {
    expect(
      readFileSync(GENERATED, 'utf8') === checkValidatorsSource(),
      'check-validators.generated.cjs is out of date: run npx tsx scripts/gen-check-validators.ts',
    ).toBe(true);
  });

  // The action compiles without the meta-schema to start faster; this is where it is checked.
  it.each(CHECK_TYPES)('%s is a valid JSON Schema under strict mode', (type) => {
    const ajv = new Ajv({ ...AJV_OPTIONS });
    expect(ajv.validateSchema(CHECK_SCHEMAS[type])).toBe(true);
    expect(() => ajv.compile(CHECK_SCHEMAS[type])).not.toThrow();
  });

  it('reports a failed union once, with its description', () => {
    expect(schemaProblems('http', { url: '/', expect: { status: ['2xx', 'ok'], 'body-contains': [] } }, 'checks[3]')).toEqual([
      {
        field: 'checks[3].expect.status',
        message: `must be an HTTP status (100–599), a class such as '2xx', or a list of them (got ["2xx","ok"])`,
      },
      { field: 'checks[3].expect.body-contains', message: 'must be a string or a list of strings (got [])' },
    ]);
  });

  it('names fields with brackets where dots would be ambiguous', () => {
    expect(pointerToField('/expect/json/$.a~1b/0')).toBe('.expect.json["$.a/b"][0]');
    expect(schemaProblems('http', { url: '/', headers: { 'X-A': { value: 1 } } }, 'checks[0]')).toEqual([
      {
        field: 'checks[0].headers.X-A',
        message: 'must be a string, {value: …, secret: true} or {env: VARIABLE_NAME} (got an object with field value)',
      },
    ]);
  });
});
