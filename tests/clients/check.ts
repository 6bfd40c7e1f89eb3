// Uses the types graphql-codegen generated from schema.graphql and operations/*.graphql the way
// a typed frontend would. `tsc --noEmit -p .` checks it: a field whose type changes (a Decimal
// that became a number, a nullable field that became required, a renamed field) breaks the
// build. Each @ts-expect-error must meet an error, so it fails too if the types go loose (any).
import type {
  ContactKind,
  CreatePersonMutation,
  CreatePersonMutationVariables,
  PersonsPageQuery,
  PersonsPageQueryVariables,
  SourceStatsQuery,
  SourceStatsQueryVariables,
} from './generated/graphql.js';
import type { DealStats, Scalars } from './generated/schema.js';

type StatsRow = SourceStatsQuery['sourceStats'][number];
type PersonNode = PersonsPageQuery['persons']['edges'][number]['node'];

// Money is a string with two decimals; a rate is a number or null.
export function moneyCells(row: StatsRow): [string, string, string | null, number | null] {
  const total: string = row.deals.totalValue;
  const won: string = row.deals.wonValue;
  const average: string | null = row.deals.averageValue;
  const rate: number | null = row.deals.winRate;
  // @ts-expect-error Decimal is a string, not a number
  const asNumber: number = row.deals.totalValue;
  // @ts-expect-error averageValue is null when there are no deals
  const neverNull: string = row.deals.averageValue;
  void asNumber;
  void neverNull;
  return [total, won, average, rate];
}

// The "No source" row has no source, only a label.
export function sourceLabel(row: StatsRow): string {
  // @ts-expect-error source is null on the "No source" row
  const name: string = row.source.name;
  void name;
  return row.source?.name ?? row.label;
}

export function personLine(person: PersonNode): string {
  const created: string = person.createdAt;
  const company = person.company;
  const companySource = company?.source?.name ?? 'no source';
  const role: 'ADMIN' | 'USER' = person.owner.role;
  // @ts-expect-error email is optional on a person
  const email: string = person.email;
  void email;
  return `${person.firstName} ${person.lastName} (${created}) at ${company?.name ?? '-'}, ${companySource}, ${role}`;
}

export function nextPage(page: PersonsPageQuery, filter: PersonsPageQueryVariables['filter']): PersonsPageQueryVariables | null {
  const { hasNextPage, endCursor } = page.persons.pageInfo;
  return hasNextPage ? { first: 50, after: endCursor, filter } : null;
}

export const statsVariables: SourceStatsQueryVariables = {
  contactKind: 'PERSONS' satisfies ContactKind,
  userIds: ['user-1'],
  createdFrom: '2026-01-01T00:00:00Z',
};

// @ts-expect-error contactKind is an enum of PERSONS, COMPANIES and ALL
export const badKind: SourceStatsQueryVariables = { contactKind: 'PEOPLE' };

export const createVariables: CreatePersonMutationVariables = {
  input: { firstName: 'Peter', lastName: 'Gibbons', companyId: 'company-1' },
};

// @ts-expect-error firstName is required on CreatePersonInput
export const missingName: CreatePersonMutationVariables = { input: { lastName: 'Gibbons' } };

export function createdId(result: CreatePersonMutation): string {
  return result.createPerson.id;
}

// The schema's own types (the `typescript` plugin) map the scalars the same way.
export const zero: Scalars['Decimal']['output'] = '0.00';
// @ts-expect-error Decimal is a string, not a number
export const zeroNumber: Scalars['Decimal']['output'] = 0;
export const noDeals: DealStats = {
  count: 0,
  totalValue: '0.00',
  averageValue: null,
  won: 0,
  wonValue: '0.00',
  winRate: null,
};
