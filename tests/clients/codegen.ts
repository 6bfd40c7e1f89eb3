// graphql-codegen: TypeScript types for the schema (generated/schema.ts, the `typescript`
// plugin) and for the operations in operations/ (generated/graphql.ts, `typescript-operations`,
// which since its v6 writes the enums and inputs the operations use itself, so the two plugins
// go to separate files: in one file they declare ContactKind, Role … twice).
// Scalars are mapped explicitly, and strictScalars makes a new unmapped scalar an error rather
// than `any`: Decimal is a string with two decimals ("1250.00"), DateTime an ISO-8601 string.
import type { CodegenConfig } from '@graphql-codegen/cli';

const scalars = {
  strictScalars: true,
  scalars: {
    DateTime: 'string',
    Decimal: 'string',
  },
};

const config: CodegenConfig = {
  overwrite: true,
  schema: '../../schema.graphql',
  documents: 'operations/*.graphql',
  generates: {
    'generated/schema.ts': {
      plugins: ['typescript'],
      config: { ...scalars, enumsAsTypes: true, useTypeImports: true },
    },
    'generated/graphql.ts': {
      plugins: ['typescript-operations'],
      config: { ...scalars, enumType: 'string-literal' },
    },
  },
};

export default config;
