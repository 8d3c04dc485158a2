"""Which servers' messages a process sends: `--shards` and `--shard-count`, read and checked."""

from __future__ import annotations

import pytest

from bot.shards import Shards, ShardsError


def test_ranges_and_single_shards_read_as_people_write_them() -> None:
    shards = Shards.parse("0-3, 6", 8)
    assert shards.ids == (0, 1, 2, 3, 6)
    assert shards.shared
    assert shards.describe() == "shards 0, 1, 2, 3, 6 of 8"


def test_a_server_belongs_to_the_shard_discord_puts_it_on() -> None:
    # Discord's rule: shard_id = (guild_id >> 22) % shard_count.
    guild = 81384788765712384  # a real server id: (81384788765712384 >> 22) % 4 == 2
    assert Shards.parse("2", 4).owns(guild)
    assert not Shards.parse("0-1,3", 4).owns(guild)
    assert Shards().owns(guild)  # one process running every shard sends everything


def test_every_shard_in_one_process_shares_nothing() -> None:
    assert not Shards().shared
    assert not Shards.parse("0-1", 2).shared


@pytest.mark.parametrize(
    ("ids", "count", "said"),
    [
        ("0-3", None, "give both"),
        (None, 8, "give both"),
        ("8", 8, "shard 8 does not exist: with 8 shards they are 0-7"),
        ("3-1", 8, "'3-1' is not a range"),
        ("one", 8, "'one' is not a shard number"),
        ("0", 0, "at least 1"),
    ],
)
def test_impossible_shards_are_one_clear_sentence(ids: str | None, count: int | None, said: str) -> None:
    with pytest.raises(ShardsError, match=said):
        Shards.parse(ids, count)
