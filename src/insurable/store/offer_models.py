"""The offers an organisation keeps (issue 14): entered by hand or extracted from a policy PDF.

``data`` is the offer in the documented format (:class:`insurable.offers.model.Offer`, validated on
every write); an extracted draft also keeps the extraction (each proposal with its page and quote)
so the web page can show the quote beside the value until the user confirms it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from insurable.store.models import Base
from insurable.store.types import utcnow

#: Where an offer came from.
OFFER_SOURCES = ("entered", "extracted")


class StoredOffer(Base):
    __tablename__ = "offers"
    __table_args__ = (Index(None, "org_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20), default="entered")
    #: False for an extracted draft until the user confirms its values.
    confirmed: Mapped[bool] = mapped_column(default=True)
    insurer: Mapped[str] = mapped_column(String(200), default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[dict[str, Any]]
    extraction: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
