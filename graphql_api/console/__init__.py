"""The web console: static files under /console, a client of the public GraphQL API."""
