"""The HTTP edge around the GraphQL schema: authentication, body limits, the CSV export."""
