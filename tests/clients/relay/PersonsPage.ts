// The page's query: spreads the paginated fragment with a first page size and a filter.
import { graphql } from 'relay-runtime';

export const personsPageQuery = graphql`
  query PersonsPageQuery($count: Int!, $filter: ContactFilter) {
    ...PersonList_query @arguments(count: $count, filter: $filter)
    me {
      id
      name
    }
  }
`;

export const dealsBackwardsQuery = graphql`
  query PersonsPageDealsBackwardsQuery($last: Int!, $before: String) {
    deals(last: $last, before: $before) @connection(key: "PersonsPage_deals") {
      edges {
        node {
          id
          title
          value
        }
      }
    }
  }
`;
