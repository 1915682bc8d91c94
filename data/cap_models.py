"""Tables of the CAP 1.2 outbound hooks: where the city's public alerts go, and the delivery log.

A *hook* is an HTTP endpoint (POSTed the alert as ``application/cap+xml``) or a command (run with the
alert on its standard input) that receives every CAP alert the city issues from the moment it was added
(``from_seq``: alerts of journal events after it). Removing a hook keeps its row (``removed_at``) so the
log still names it. The *delivery log* has one row per attempt to hand one alert to one hook, written when
the attempt starts (``outcome`` ``sending``) and completed when it ends; the unique (hook, alert,
attempt) lets only one deliverer make a given attempt. The alerts themselves are not stored: each is
rebuilt, byte for byte, from the journal event that made it (``modes.common.cap``).

Their own migration branch (``cap_0001``). Times are naive local datetimes like the rest of the city;
an attempt's times are the deliverer's wall clock, to the microsecond, so the back-off between attempts
can be read from the log.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from data.models import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")  # SQLite only autoincrements INTEGER keys


class HookKind(enum.StrEnum):
    HTTP = "http"  # POST to a URL
    COMMAND = "command"  # run an argument list (no shell), the alert on stdin


class AttemptOutcome(enum.StrEnum):
    SENDING = "sending"  # under way (or its deliverer died: taken as failed once stale)
    DELIVERED = "delivered"  # HTTP 2xx, or the command exited 0
    FAILED = "failed"  # refused, unreachable, a non-2xx answer, a non-zero exit
    TIMEOUT = "timeout"  # no answer within the hook's timeout; a hanging command is killed
    ABANDONED = "abandoned"  # left ``sending`` by a deliverer that stopped; the next attempt follows


class CapHook(Base):
    """One outbound hook of the city."""

    __tablename__ = "cap_hooks"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    url: Mapped[str | None] = mapped_column(Text, nullable=True)  # kind http
    argv: Mapped[list | None] = mapped_column(JSON, nullable=True)  # kind command: the argument list
    attempts: Mapped[int] = mapped_column(Integer)  # at most this many attempts per alert
    timeout_s: Mapped[float] = mapped_column(Float)  # per attempt
    backoff_s: Mapped[float] = mapped_column(Float)  # the wait before the 2nd attempt; doubles after
    note: Mapped[str] = mapped_column(Text, default="")
    from_seq: Mapped[int] = mapped_column(BigInteger)  # alerts of journal events after this one
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(50))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    removed_by: Mapped[str | None] = mapped_column(String(50), nullable=True)


class CapDelivery(Base):
    """One attempt to deliver one CAP alert to one hook."""

    __tablename__ = "cap_deliveries"
    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    hook_id: Mapped[int] = mapped_column(ForeignKey("cap_hooks.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(120), index=True)  # the alert's CAP identifier
    subject: Mapped[str] = mapped_column(String(80), index=True)  # alarm/<id>, incident/<id>
    journal_seq: Mapped[int] = mapped_column(BigInteger)  # the event the alert was made from
    attempt: Mapped[int] = mapped_column(Integer)  # 1, 2, ...
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(10), default=AttemptOutcome.SENDING.value)
    detail: Mapped[str] = mapped_column(Text, default="")  # HTTP status, exit code, the error
    final: Mapped[bool] = mapped_column(Boolean, default=False)  # delivered, or the last attempt failed
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)  # an alert of status Exercise

    __table_args__ = (UniqueConstraint("hook_id", "identifier", "attempt"),)
