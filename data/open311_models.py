"""Tables of the Open311 gateway: the applications allowed to report (their API keys, kept hashed) and
what a report through the gateway brought beside its case (the app, the token, the photo's address).

The rules live in ``modes.common.app_keys`` (keys) and ``modes.everyday.open311`` (requests); these are
the rows. They arrive on their own migration branch (``open311_0001``). Neither table is replicated to
district nodes or consoles: keys are the centre's, and a request's extras are read through the gateway.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data.models import Base


class Open311App(Base):
    """An application that may report through the Open311 gateway. Only the SHA-256 of its API key is
    stored (the key is a 256-bit random string shown once), so a copy of the database lets nobody report
    as the app; ``key_hint`` is the key's first characters, for telling keys apart in a listing."""

    __tablename__ = "open311_apps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    app: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(50))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(50), nullable=True)


class Open311Request(Base):
    """What a report through the gateway brought beside its case: the app, the token the gateway handed
    back (``tokens/{token}``), the address the citizen typed and the photo's URL. The citizen's name,
    phone, e-mail and device are never stored (docs: "Personal data")."""

    __tablename__ = "open311_requests"
    case_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("cases.id", ondelete="CASCADE"),
        primary_key=True,
    )
    app: Mapped[str] = mapped_column(String(32), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    service_code: Mapped[str] = mapped_column(String(24))
    address: Mapped[str] = mapped_column(String(255), default="")
    media_url: Mapped[str] = mapped_column(String(1024), default="")
