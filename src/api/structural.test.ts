import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { StringEnum } from './common.ts';
import { StructuralSchemaError, toStructuralSchema } from './structural.ts';

describe('toStructuralSchema', () => {
  it('turns a literal union into a string enum, keeping the description', () => {
    expect(toStructuralSchema(StringEnum(['TCP', 'UDP'], { description: 'protocol' }))).toEqual({ type: 'string', enum: ['TCP', 'UDP'], description: 'protocol' });
  });

  it('turns a Record into additionalProperties', () => {
    expect(toStructuralSchema(Type.Record(Type.String(), Type.Integer()))).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
  });

  it('keeps bounds, required and list-map markers; drops $id', () => {
    const schema = Type.Object(
      {
        port: Type.Integer({ minimum: 1, maximum: 65535 }),
        items: Type.Optional(Type.Array(Type.Object({ name: Type.String() }), { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })),
      },
      { $id: 'Thing' },
    );
    expect(toStructuralSchema(schema)).toEqual({
      type: 'object',
      properties: {
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        items: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        },
      },
      required: ['port'],
    });
  });

  it.each([
    ['a union of objects', Type.Object({ u: Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })]) }), /u: only unions of string literals/],
    ['an untyped node', Type.Object({ x: Type.Unknown() }), /x: every node needs a type/],
    ['an intersection', Type.Object({ x: Type.Intersect([Type.Object({ a: Type.String() }), Type.Object({ b: Type.String() })]) }), /x: 'allOf' is not allowed/],
    ['a null type', Type.Object({ x: Type.Null() }), /x: type "null" has no structural equivalent/],
    ['an exclusive bound', Type.Object({ x: Type.Integer({ exclusiveMinimum: 0 }) }), /x: keyword 'exclusiveMinimum' is not supported/],
  ])('refuses %s, naming the path', (_what, schema, message) => {
    expect(() => toStructuralSchema(schema)).toThrow(StructuralSchemaError);
    expect(() => toStructuralSchema(schema)).toThrow(message);
  });
});
