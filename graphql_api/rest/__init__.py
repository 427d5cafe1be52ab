"""The Atlas Administration API v2-compatible REST API (Flex clusters and backups).

Mounted under /api/atlas/v2 by app.py. Every operation calls the same
service functions as GraphQL; this package only translates HTTP to them
and their answers to Atlas's shapes.
"""
