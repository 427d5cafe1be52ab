"""Pure business rules: no I/O, no ORM, no GraphQL.

Everything here is a plain function or value so it can be tested directly.
"""
