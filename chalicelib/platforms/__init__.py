"""One provider per social network behind one Protocol, and the HTTP client that runs them.

Platform JSON never leaves this package: providers return :mod:`chalicelib.domain.platforms` types.
Import from the modules (``base``, ``http``, ``registry``...): this package imports nothing itself,
so reading the error kinds in ``base`` does not pay for httpx on the API's cold start.
"""
