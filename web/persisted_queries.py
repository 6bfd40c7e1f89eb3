"""Automatic persisted queries (Apollo's protocol), with a store bounded in characters.

A client sends `extensions.persistedQuery.sha256Hash` alone; when the hash is unknown it gets
PERSISTED_QUERY_NOT_FOUND and sends the query with the hash, which registers it. A hash that is
not the query's SHA-256 is BAD_USER_INPUT. Each process keeps its own store (least recently used
out first), so behind a load balancer a client may register a query once per process.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from resolvers.errors import BadUserInput, DomainError

STORE_CHARACTERS = 8 * 1024 * 1024  # about 8-16 MiB of query text per process


class PersistedQueryNotFound(DomainError):
    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class PersistedQueries:
    def __init__(self, capacity: int = STORE_CHARACTERS) -> None:
        self.capacity = capacity
        self.size = 0
        self._queries: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> tuple[str | None, str | None]:
        """(the query to run, the hash to register once the request is allowed to run)."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return query, None
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sha, str) or persisted.get("version", 1) != 1:
            raise BadUserInput(
                "extensions.persistedQuery needs version 1 and a sha256Hash", field="persistedQuery"
            )
        if query is None:
            known = self._queries.get(sha.lower())
            if known is None:
                raise PersistedQueryNotFound()
            self._queries.move_to_end(sha.lower())
            return known, None
        if hashlib.sha256(query.encode()).hexdigest() != sha.lower():
            raise BadUserInput(
                "persistedQuery.sha256Hash is not the SHA-256 of the query", field="sha256Hash"
            )
        return query, sha.lower()

    def register(self, sha: str, query: str) -> None:
        if sha in self._queries or len(query) > self.capacity:
            return
        self._queries[sha] = query
        self.size += len(query)
        while self.size > self.capacity:
            _, dropped = self._queries.popitem(last=False)
            self.size -= len(dropped)
