"""/quote and /episode hold back one user who asks too fast, privately, without slowing anyone else."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from discord import app_commands

from cogs.common.cooldowns import HEAVY_COMMAND_PER_S, HEAVY_COMMAND_RATE

if TYPE_CHECKING:
    from tests.cogs.conftest import World

# Each heavy command, the options of a question the bundled store answers, and an autocompleted option.
HEAVY = [
    pytest.param("quote", {"text": "webcontainer"}, "episode", id="quote"),
    pytest.param("episode", {"query": "windsurf"}, "query", id="episode"),
]

SLOW_DOWN = re.compile(r"Slow down a little: try that again in (\d+) s\.")


@pytest.mark.parametrize(("command", "options", "completed"), HEAVY)
async def test_asking_too_fast_gets_a_private_slow_down_and_nothing_else(
    world: World, command: str, options: dict[str, Any], completed: str
) -> None:
    for _ in range(HEAVY_COMMAND_RATE):
        answered = await world.alice.slash(world.channel, command, **options)
        assert answered.response.embeds, answered.response.content

    held = await world.alice.slash(world.channel, command, **options)

    assert held.ephemeral
    assert not held.response.embeds
    wait = SLOW_DOWN.fullmatch(held.response.content)
    assert wait, held.response.content
    assert 1 <= int(wait.group(1)) <= HEAVY_COMMAND_PER_S
    # The refusal is discord.py's cooldown, reaching the error handler (reading env.errors acknowledges it).
    assert [type(e) for e in world.env.errors] == [app_commands.CommandOnCooldown]

    # The list under the cursor is not held back, so she can still pick her next question.
    choices = await world.alice.autocomplete(world.channel, command, completed, "claude")
    assert choices

    # Someone else in the channel is answered as usual.
    other = await world.bob.slash(world.channel, command, **options)
    assert other.response.embeds


@pytest.mark.parametrize(("command", "options", "completed"), HEAVY)
async def test_after_the_cooldown_the_same_user_is_answered_again(
    world: World, command: str, options: dict[str, Any], completed: str
) -> None:
    for _ in range(HEAVY_COMMAND_RATE):
        await world.alice.slash(world.channel, command, **options)
    assert SLOW_DOWN.fullmatch((await world.alice.slash(world.channel, command, **options)).response.content)
    assert world.env.errors

    await world.env.advance_time(HEAVY_COMMAND_PER_S + 1)

    again = await world.alice.slash(world.channel, command, **options)
    assert not again.ephemeral
    assert again.response.embeds


async def test_each_heavy_command_counts_on_its_own(world: World) -> None:
    for _ in range(HEAVY_COMMAND_RATE):
        await world.alice.slash(world.channel, "quote", text="webcontainer")
    assert SLOW_DOWN.fullmatch(
        (await world.alice.slash(world.channel, "quote", text="webcontainer")).response.content
    )
    assert world.env.errors

    # Held back on /quote, she can still look an episode up.
    result = await world.alice.slash(world.channel, "episode", query="windsurf")
    assert result.response.embeds
