"""The bot's heartbeat (bot.health): this side says whether every gateway connection is up.

No command: `podbot health` reads what the heartbeat service writes, for the image's HEALTHCHECK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.health import HeartbeatService, heartbeat_path

if TYPE_CHECKING:
    from bot.client import PodBot


def gateway_problem(bot: PodBot) -> str | None:
    """None when the bot is connected to Discord's gateway on every shard it runs; else what is not."""
    if bot.is_closed():
        return "the bot has closed its connection to Discord"
    if not bot.is_ready():
        return "the bot is not connected to Discord's gateway yet"
    # discord.py reconnects a dropped shard by itself; until then, that shard's servers get no answers.
    down = sorted(shard_id for shard_id, shard in bot.shards.items() if shard.is_closed())
    if down:
        listed = ", ".join(str(shard_id) for shard_id in down)
        which = (
            f"shard {listed} of {bot.shard_count} is"
            if len(down) == 1
            else f"shards {listed} of {bot.shard_count} are"
        )
        return f"{which} not connected to Discord's gateway"
    return None


class Health(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot
        self.heartbeat: HeartbeatService | None = None

    async def cog_load(self) -> None:
        if not self.bot.serving:
            return  # a one-shot run (`podbot sync`) serves nothing, so it has no heartbeat
        self.heartbeat = HeartbeatService(
            heartbeat_path(self.bot.settings),
            self.bot.store,
            lambda: gateway_problem(self.bot),
            every_s=self.bot.settings.heartbeat_seconds,
        )
        self.heartbeat.start(self.bot.wait_until_ready)

    async def cog_unload(self) -> None:
        if self.heartbeat is not None:
            await self.heartbeat.close()


async def setup(bot: PodBot) -> None:
    await bot.add_cog(Health(bot))
