"""Use cases. Every entry point (GraphQL, CLI) calls these functions."""
