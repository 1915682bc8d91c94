"""Where a node records the sequence reservation of a state channel it serves (docs/protocol.md 3.7):
its own database, table ``link_sequence_reservation``, one row per channel.

Node bookkeeping like the applied-command ids, not a change of the city: written in its own short
transaction by the clone server's agent thread (``CloneServer(reserve=store.record)``), never through a
command, and kept out of the journal. A reservation must survive a power cut, not only a crash of the
process, so on SQLite its commit runs with ``synchronous=FULL`` (the node's other commits use NORMAL);
it happens about once per half a million updates, so the cost does not matter.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

RESERVATION = sa.table(
    "link_sequence_reservation",
    sa.column("channel", sa.String),
    sa.column("reserved", sa.BigInteger),
    sa.column("recorded_at", sa.Float),
)


class ReservationStore:
    """The recorded sequence reservation of one channel (``state`` by default) in ``engine``'s database."""

    def __init__(self, engine: sa.Engine, channel: str = "state") -> None:
        self.engine = engine
        self.channel = channel

    def read(self) -> int:
        """The reservation recorded last, 0 when none was."""
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(RESERVATION.c.reserved).where(RESERVATION.c.channel == self.channel)
            ).scalar()
        return int(value or 0)

    def base(self, floor: int = 0) -> int:
        """The ``seq_base`` of the channel's next start: above the recorded reservation and above
        ``floor`` (a number the caller knows was used elsewhere, such as a failed peer's)."""
        if floor < 0:
            raise ValueError(f"a sequence floor must be 0 or more, not {floor}")
        return max(self.read(), floor)

    def record(self, upto: int) -> None:
        """Record ``upto`` durably before returning (a reservation never goes back: a lower value
        than the recorded one leaves it as it is)."""
        sqlite = self.engine.url.get_backend_name() == "sqlite"
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection if sqlite else None
            if raw is not None:
                # Outside a transaction (pysqlite runs in autocommit here; BEGIN is ours).
                raw.execute("PRAGMA synchronous=FULL")
            try:
                with conn.begin():
                    where = RESERVATION.c.channel == self.channel
                    row = {"reserved": upto, "recorded_at": time.time()}
                    # A write first: SQLite then takes its write lock at once, waiting for busy_timeout
                    # if the node's commands hold it. Reading first would start a snapshot that a
                    # command's commit overtakes, and the write after it fails at once as "locked".
                    update = sa.update(RESERVATION).where(where, RESERVATION.c.reserved < upto).values(**row)
                    if not conn.execute(update).rowcount:
                        if conn.execute(sa.select(RESERVATION.c.reserved).where(where)).first() is None:
                            conn.execute(sa.insert(RESERVATION).values(channel=self.channel, **row))
            finally:
                if raw is not None:
                    raw.execute("PRAGMA synchronous=NORMAL")
