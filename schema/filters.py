from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.filters import RecordFilter
from schema.enums import DealStatus, SourceOrigin

SOURCE_DOC = "Records with any of these sources (with withoutSource: true, also those without)."
ORIGIN_DOC = (
    "Records whose source was chosen by a user (CHOSEN) or copied from their company (INHERITED); "
    "records without a source have neither."
)
SEARCH_DOC = (
    "A substring, ignoring case in every script ('öko' finds 'Öko Bau', 'straße' finds 'STRASSE'), of {what}."
)


CREATED_DOC = (
    "createdFrom is inclusive, createdTo exclusive; updatedFrom (inclusive) keeps the records changed "
    "since then (with orderBy: UPDATED_FIRST_TO_LAST, what a sync pulls)."
)


@strawberry.input(description=CREATED_DOC)
class ContactFilter:
    source_ids: list[strawberry.ID] | None = strawberry.field(default=None, description=SOURCE_DOC)
    without_source: bool | None = None
    origin: SourceOrigin | None = strawberry.field(default=None, description=ORIGIN_DOC)
    owner_ids: list[strawberry.ID] | None = None
    company_id: strawberry.ID | None = strawberry.field(
        default=None, description="Persons of this company; on companies, the company itself."
    )
    search: str | None = strawberry.field(
        default=None,
        description=SEARCH_DOC.format(what="a company's name, or a person's first name, last name or email"),
    )
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None

    def to_filter(self) -> RecordFilter:
        return RecordFilter(
            source_ids=_strs(self.source_ids),
            without_source=self.without_source,
            origin=self.origin,
            owner_ids=_strs(self.owner_ids),
            company_id=self.company_id,
            search=self.search,
            created_from=self.created_from,
            created_to=self.created_to,
            updated_from=self.updated_from,
        )


@strawberry.input(description=CREATED_DOC)
class DealFilter:
    source_ids: list[strawberry.ID] | None = strawberry.field(default=None, description=SOURCE_DOC)
    without_source: bool | None = None
    origin: SourceOrigin | None = strawberry.field(default=None, description=ORIGIN_DOC)
    owner_ids: list[strawberry.ID] | None = None
    company_id: strawberry.ID | None = None
    person_id: strawberry.ID | None = None
    status: DealStatus | None = None
    search: str | None = strawberry.field(
        default=None, description=SEARCH_DOC.format(what="the deal's title")
    )
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None

    def to_filter(self) -> RecordFilter:
        return RecordFilter(
            source_ids=_strs(self.source_ids),
            without_source=self.without_source,
            origin=self.origin,
            owner_ids=_strs(self.owner_ids),
            company_id=self.company_id,
            person_id=self.person_id,
            status=self.status,
            search=self.search,
            created_from=self.created_from,
            created_to=self.created_to,
            updated_from=self.updated_from,
        )


def _strs(ids: list[strawberry.ID] | None) -> list[str] | None:
    return None if ids is None else [str(i) for i in ids]
