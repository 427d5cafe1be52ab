"""HTTP outside GraphQL: the API-key backend, request limits, download links, probes."""
