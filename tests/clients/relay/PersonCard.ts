// One person, refetchable on its own: Relay generates a query through `node(id:)`, which needs
// Person to implement Node.
import { graphql } from 'relay-runtime';

export const personCardFragment = graphql`
  fragment PersonCard_person on Person @refetchable(queryName: "PersonCardRefetchQuery") {
    id
    firstName
    lastName
    email
    createdAt
    source {
      id
      name
    }
    company {
      id
      name
    }
    owner {
      id
      name
    }
  }
`;
