// A paginated list of persons as a Relay app writes it: a fragment on Query with its own
// arguments, a @connection the store merges pages into, and a generated pagination query.
import { graphql } from 'relay-runtime';

export const personListFragment = graphql`
  fragment PersonList_query on Query
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    filter: { type: "ContactFilter" }
  )
  @refetchable(queryName: "PersonListPaginationQuery") {
    persons(first: $count, after: $cursor, filter: $filter)
      @connection(key: "PersonList_persons", filters: ["filter"]) {
      totalCount
      edges {
        node {
          id
          ...PersonCard_person
        }
      }
    }
  }
`;
