"""Which of the bot's shards this process runs, and so which servers' messages are its to send.

Discord splits a bot's servers over `shard_count` gateway connections by id: a server is on shard
`(guild_id >> 22) % shard_count`. Several processes share one store by each running some of the shards
(`podbot run --shards 0-3 --shard-count 8`); a message for a server is sent by the process holding its
shard, which is the one with that server's gateway connection.
"""

from __future__ import annotations

from dataclasses import dataclass


class ShardsError(ValueError):
    """A shard setting that cannot be: the message says which and why."""


@dataclass(frozen=True, slots=True)
class Shards:
    # None: every shard, in this one process (Discord tells how many there are).
    ids: tuple[int, ...] | None = None
    count: int | None = None

    @classmethod
    def parse(cls, ids: str | None, count: int | None) -> Shards:
        """From `--shards 0-3,6` and `--shard-count 8` (or the settings): both, or neither."""
        if ids is None and count is None:
            return cls()
        if ids is None or count is None:
            raise ShardsError("give both the shards to run (e.g. 0-3) and the shard count, or neither")
        if count < 1:
            raise ShardsError(f"the shard count must be at least 1, not {count}")
        chosen: set[int] = set()
        for part in ids.split(","):
            first, dash, last = part.strip().partition("-")
            try:
                lo = int(first)
                hi = int(last) if dash else lo
            except ValueError:
                raise ShardsError(f"{part.strip()!r} is not a shard number or a range like 0-3") from None
            if lo < 0 or hi < lo:
                raise ShardsError(f"{part.strip()!r} is not a range of shards (low-high, from 0)")
            if hi >= count:
                raise ShardsError(f"shard {hi} does not exist: with {count} shards they are 0-{count - 1}")
            chosen.update(range(lo, hi + 1))
        return cls(tuple(sorted(chosen)), count)

    @property
    def shared(self) -> bool:
        """Other processes run the other shards (and share this one's store and its work)."""
        return self.ids is not None and self.count is not None and len(self.ids) < self.count

    def owns(self, guild_id: int) -> bool:
        """Whether this process runs the shard of the server `guild_id`."""
        if self.ids is None or self.count is None:
            return True
        return (guild_id >> 22) % self.count in self.ids

    def describe(self) -> str:
        if self.ids is None or self.count is None:
            return "all shards"
        return f"shards {', '.join(map(str, self.ids))} of {self.count}"
