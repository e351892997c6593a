/**
 * fast-check arbitraries for the fuzz suite, read from the OpenAPI document's JSON schemas: values
 * that fit a schema (so requests get past validation into the services), and hostile values (wrong
 * types, boundary and huge strings, unicode edge cases, prototype-pollution keys, null bytes, deep
 * nesting) to put in their place.
 */
import fc from 'fast-check';

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
};

/** Strings that have broken parsers, renderers and databases elsewhere. */
const NASTY_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  'a\u0000b',
  '\u0000',
  '\uD800', // a lone surrogate: not valid UTF-16, PostgreSQL text refuses its UTF-8 form
  '\u202Eevil\u202C',
  '\uFEFF',
  '👩‍👩‍👧‍👦',
  'Zalgo: Z̷̡̛͓a̸͍̕l̵̰̿g̵̘̾o̶̙͒',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '=cmd|\' /C calc\'!A0',
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  "' OR 1=1 --",
  '%00',
  '%',
  '../../../../etc/passwd',
  'javascript:alert(1)',
  '9'.repeat(400),
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(70_000),
];

export const nastyString = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }));

/** Any JSON value, biased toward the troublesome ones. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(0, -1, 2 ** 31, -(2 ** 63), Number.MAX_SAFE_INTEGER + 2, 1.5, -0),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
);

function resolve(schema: JsonSchema, doc: { components?: { schemas?: Record<string, JsonSchema> } }): JsonSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s;
}

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  switch (s.format) {
    case 'uuid':
      return fc.uuid({ version: 4 });
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
      return fc.webUrl();
  }
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 200));
    } catch {
      // a pattern JavaScript cannot compile here: fall through to plain strings
    }
  }
  return fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 200) });
}

/** Values that fit `schema` (as far as JSON schema says; services may still refuse them). */
export function validFor(schema: JsonSchema | undefined, doc: object, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null);
  const s = resolve(schema, doc);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => validFor(a, doc, depth + 1)));
  if (s.allOf?.length) return validFor(s.allOf[0], doc, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 100_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validFor(s.items, doc, depth + 1), { maxLength: 3 });
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of props) record[k] = validFor(v, doc, depth + 1);
      return fc.record(record, { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) });
    }
    default:
      return hostileValue;
  }
}

/** A body: mostly schema-shaped with one field made hostile, sometimes hostile through and through. */
export function bodyFor(schema: JsonSchema | undefined, doc: object): fc.Arbitrary<{ text: string; contentType: string }> {
  const json = (v: unknown) => ({ text: JSON.stringify(v) ?? 'null', contentType: 'application/json' });
  const valid = validFor(schema, doc);
  const oneFieldHostile = fc.tuple(valid, nastyString, hostileValue).map(([v, key, bad]) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad;
    const keys = Object.keys(v);
    const k = keys.length > 0 ? keys[Math.abs(hashOf(key)) % keys.length]! : key;
    return { ...v, [k]: bad };
  });
  // JSON.stringify drops a real __proto__ key, so the pollution attempts are written as text
  const pollution = fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([v, key]) => ({
    text: `{"${key}":{"isAdmin":true,"role":"owner","polluted":1}${typeof v === 'object' && v && !Array.isArray(v) && Object.keys(v).length ? `,${JSON.stringify(v).slice(1)}` : '}'}`,
    contentType: 'application/json',
  }));
  const deep = fc.integer({ min: 100, max: 20_000 }).map((n) => ({ text: `${'['.repeat(n)}${']'.repeat(n)}`, contentType: 'application/json' }));
  const deepObject = fc.integer({ min: 100, max: 5_000 }).map((n) => ({ text: `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`, contentType: 'application/json' }));
  const broken = fc.constantFrom('{', '{"a":', 'not json', '\u0000', '{"a":"\\ud800"}', '[1,2,', '{"a":1}{"b":2}', '"\\u0000"').map((text) => ({ text, contentType: 'application/json' }));
  const wrongType = fc.tuple(valid, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/xml')).map(([v, contentType]) => ({
    text: JSON.stringify(v) ?? '',
    contentType,
  }));
  return fc.oneof(
    { weight: 4, arbitrary: valid.map(json) },
    { weight: 4, arbitrary: oneFieldHostile.map(json) },
    { weight: 1, arbitrary: hostileValue.map(json) },
    { weight: 1, arbitrary: pollution },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: deepObject },
    { weight: 1, arbitrary: broken },
    { weight: 1, arbitrary: wrongType },
  );
}

function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}
