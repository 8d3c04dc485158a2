"""/quote: who said it, and when: the best transcript match, with buttons to page through the rest."""

from __future__ import annotations

import io
import re
import secrets
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cards.quote import QuoteCard
from bot.links import moment_url
from bot.text import format_timestamp
from cogs.common.choices import answer_choices
from cogs.common.components import GuardedCallback, link_button, only_for, stateless_view
from cogs.common.cooldowns import per_user_cooldown
from cogs.common.errors import tell
from cogs.common.find import episode_suggestions, find_episode, suggested_titles
from cogs.common.installs import anywhere
from cogs.common.limits import CUSTOM_ID, length, shorten
from cogs.common.render import excerpt, md, quote_embed
from cogs.common.reply import deferred_if_slow, reply, update
from cogs.common.scope import SHOW_OPTION, autocomplete_scope, scope_of, scope_or_tell, show_suggestions

if TYPE_CHECKING:
    from bot.client import PodBot
    from bot.scope import Scope
    from bot.search.results import QuoteHit

# Queries too long to ride in a button's custom_id are remembered here; this many, most recent first.
REMEMBERED_QUERIES = 2000


class QueryMemo:
    """Long queries by short key, for buttons. Lost on restart: those buttons then say to search again."""

    def __init__(self, size: int = REMEMBERED_QUERIES) -> None:
        self._size = size
        self._queries: OrderedDict[str, str] = OrderedDict()

    def remember(self, query: str) -> str:
        key = secrets.token_hex(6)
        self._queries[key] = query
        while len(self._queries) > self._size:
            self._queries.popitem(last=False)
        return key

    def recall(self, key: str) -> str | None:
        return self._queries.get(key)


def _custom_id(
    owner_id: int, episode_id: int | None, offset: int, show_id: int | None, query_part: str
) -> str:
    return f"podbot:quote:{owner_id}:{episode_id or 0}:{offset}:{show_id or 0}:{query_part}"


def _card_id(owner_id: int, episode_id: int | None, offset: int, show_id: int | None, query_part: str) -> str:
    # As long as _custom_id's: whatever query fits in a page button fits here.
    return f"podbot:qcard:{owner_id}:{episode_id or 0}:{offset}:{show_id or 0}:{query_part}"


def _recall(interaction: discord.Interaction, query_part: str) -> tuple[Quote | None, str | None]:
    bot: PodBot = interaction.client  # type: ignore[assignment]
    cog: Quote | None = bot.get_cog("Quote")  # type: ignore[assignment]
    kind, _, value = query_part.partition(":")
    query = value if kind == "q" else (cog.memo.recall(value) if cog else None)
    return cog, query


class QuotePageButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.compile(
        # The show part is optional: buttons posted before shows existed carry none.
        r"podbot:quote:(?P<owner>\d+):(?P<episode>\d+):(?P<offset>\d+):(?:(?P<show>\d+):)?"
        r"(?P<kind>[qm]):(?P<query>.+)",
        re.DOTALL,
    ),
):
    """Previous/next match. The query rides in the custom_id when it fits (surviving restarts), else a
    key into the cog's memo."""

    def __init__(
        self,
        owner_id: int,
        episode_id: int | None,
        offset: int,
        query_part: str,
        *,
        show_id: int | None = None,
        label: str = "",
        disabled: bool = False,
    ) -> None:
        self.owner_id, self.episode_id, self.offset, self.query_part = (
            owner_id,
            episode_id or None,
            offset,
            query_part,
        )
        self.show_id = show_id or None
        super().__init__(
            discord.ui.Button(
                label=label or "Page",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=_custom_id(owner_id, episode_id, offset, show_id, query_part),
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QuotePageButton:
        return cls(
            int(match["owner"]),
            int(match["episode"]),
            int(match["offset"]),
            f"{match['kind']}:{match['query']}",
            show_id=int(match["show"] or 0),
        )

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await only_for(interaction, self.owner_id, command="/quote")

    async def on_click(self, interaction: discord.Interaction) -> None:
        cog, query = _recall(interaction, self.query_part)
        if query is None or cog is None:
            await tell(interaction, "These results are from before the bot restarted. Run /quote again.")
            return
        async with deferred_if_slow(interaction):
            # The scope of where the button is pressed, narrowed to the show the search was narrowed to.
            scope = await scope_of(cog.bot, interaction)
            if self.show_id is not None:
                scope = scope.narrowed(self.show_id)
            message = await cog.quote_message(
                query, self.episode_id, self.offset, self.owner_id, self.query_part, scope, self.show_id
            )
            if message is None:
                await tell(interaction, "There are no more matches.")
                return
            embed, view = message
            await update(interaction, embeds=[embed], view=view)


class QuoteCardButton(
    GuardedCallback,
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.compile(
        r"podbot:qcard:(?P<owner>\d+):(?P<episode>\d+):(?P<offset>\d+):(?P<show>\d+):(?P<kind>[qm]):(?P<query>.+)",
        re.DOTALL,
    ),
):
    """ "Share as image": the match on show as a PNG quote card, posted where the /quote answer is."""

    def __init__(
        self, owner_id: int, episode_id: int | None, offset: int, query_part: str, show_id: int | None
    ) -> None:
        self.owner_id, self.episode_id, self.offset, self.query_part = (
            owner_id,
            episode_id or None,
            offset,
            query_part,
        )
        self.show_id = show_id or None
        super().__init__(
            discord.ui.Button(
                label="Share as image",
                emoji="🖼️",
                style=discord.ButtonStyle.secondary,
                custom_id=_card_id(owner_id, episode_id, offset, show_id, query_part),
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> QuoteCardButton:
        return cls(
            int(match["owner"]),
            int(match["episode"]),
            int(match["offset"]),
            f"{match['kind']}:{match['query']}",
            int(match["show"]),
        )

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await only_for(interaction, self.owner_id, command="/quote")

    async def on_click(self, interaction: discord.Interaction) -> None:
        cog, query = _recall(interaction, self.query_part)
        if query is None or cog is None:
            await tell(interaction, "These results are from before the bot restarted. Run /quote again.")
            return
        async with deferred_if_slow(interaction):
            # As for the page buttons: the scope where it is pressed, narrowed as the search was.
            scope = await scope_of(cog.bot, interaction)
            if self.show_id is not None:
                scope = scope.narrowed(self.show_id)
            png = await cog.quote_card(query, self.episode_id, self.offset, scope)
            if png is None:
                await tell(interaction, "That line is no longer in the transcripts. Run /quote again.")
                return
            await reply(interaction, files=[discord.File(io.BytesIO(png), filename="quote.png")])


class Quote(commands.Cog):
    def __init__(self, bot: PodBot) -> None:
        self.bot = bot
        self.memo = QueryMemo()
        per_user_cooldown(self.quote)

    async def quote_card(self, query: str, episode_id: int | None, offset: int, scope: Scope) -> bytes | None:
        """The PNG card of the match at `offset`, or None when the search no longer finds it."""
        hits = await self.bot.search.quotes(query, scope=scope, episode_id=episode_id, limit=1, offset=offset)
        if not hits:
            return None
        hit = hits[0]
        stored = await self.bot.store.catalog.get(hit.episode_id, scope=scope)
        card = QuoteCard(
            words=excerpt(hit.text, hit.highlights),
            speaker=hit.speaker,
            episode_title=hit.episode_title,
            show_title=stored.show_title if stored else "",
            start_s=hit.start_s,
        )
        return await self.bot.cards.render(card, stored.episode.artwork if stored else None)

    def query_part(self, owner_id: int, episode_id: int | None, show_id: int | None, query: str) -> str:
        inline = f"q:{query}"
        # The largest offset a button can carry is three digits; leave room for it.
        if length(_custom_id(owner_id, episode_id, 999, show_id, inline)) <= CUSTOM_ID:
            return inline
        return f"m:{self.memo.remember(query)}"

    async def quote_message(
        self,
        query: str,
        episode_id: int | None,
        offset: int,
        owner_id: int,
        query_part: str,
        scope: Scope,
        show_id: int | None,
    ) -> tuple[discord.Embed, discord.ui.View | None] | None:
        # One more than shown: whether it exists decides if "Next" is enabled.
        hits = await self.bot.search.quotes(query, scope=scope, episode_id=episode_id, limit=2, offset=offset)
        if not hits:
            return None
        hit: QuoteHit = hits[0]
        has_more = len(hits) > 1 and offset < 999
        stored = await self.bot.store.catalog.get(hit.episode_id, scope=scope)
        embed = quote_embed(hit, stored, position=offset, has_more=has_more, query=query)
        moment = moment_url(stored.episode.link, stored.episode.audio_url, hit.start_s) if stored else None
        paging = offset > 0 or has_more
        view = stateless_view(
            [
                QuotePageButton(
                    owner_id,
                    episode_id,
                    max(offset - 1, 0),
                    query_part,
                    show_id=show_id,
                    label="◀ Previous",
                    disabled=offset == 0,
                )
                if paging
                else None,
                QuotePageButton(
                    owner_id,
                    episode_id,
                    offset + 1,
                    query_part,
                    show_id=show_id,
                    label="Next ▶",
                    disabled=not has_more,
                )
                if paging
                else None,
                link_button(f"Listen at {format_timestamp(hit.start_s)}", moment),
                QuoteCardButton(owner_id, episode_id, offset, query_part, show_id),
            ]
        )
        return embed, view

    @anywhere
    @app_commands.command(name="quote", description="Find who said something, and when, in the transcripts.")
    @app_commands.describe(
        text="Words you remember; wrap them in double quotes for the exact phrase.",
        episode="Only search this episode: pick one from the list, or type words from its title.",
        show=SHOW_OPTION,
    )
    async def quote(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        episode: app_commands.Range[str, 1, 200] | None = None,
        show: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        async with deferred_if_slow(interaction):
            scope = await scope_or_tell(self.bot, interaction, show)
            if scope is None:
                return
            show_id = next(iter(scope.show_ids)) if show and scope.show_ids else None
            episode_id = None
            if episode:
                found = await find_episode(self.bot, episode, scope=scope, with_alternatives=False)
                if found is None:
                    await tell(
                        interaction,
                        f"No episode matches “{md(episode)}”. Pick one from the list, or leave it out to search all.",
                        suggestions=await suggested_titles(self.bot, episode, scope=scope),
                    )
                    return
                episode_id = found.stored.id
                if not await self.bot.search.has_transcript(episode_id):
                    await tell(
                        interaction,
                        f"“{md(shorten(found.stored.episode.title, 200))}” has no transcript, so it cannot be "
                        "quoted. Leave the episode out to search every transcript.",
                    )
                    return
            owner = interaction.user.id
            message = await self.quote_message(
                text,
                episode_id,
                0,
                owner,
                self.query_part(owner, episode_id, show_id, text),
                scope,
                show_id,
            )
            if message is None:
                where = "that episode's transcript" if episode_id else "any transcript"
                await tell(
                    interaction,
                    f"Nobody says “{md(shorten(text, 200))}” in {where}. "
                    "Try fewer or different words, or drop the quotes.",
                )
                return
            embed, view = message
            await reply(interaction, embeds=[embed], view=view)

    @quote.autocomplete("episode")
    async def episode_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        scope = await autocomplete_scope(self.bot, interaction)
        return await answer_choices(
            episode_suggestions(self.bot, current, scope=scope), what="/quote episode"
        )

    @quote.autocomplete("show")
    async def show_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await answer_choices(show_suggestions(self.bot, interaction, current), what="/quote show")


async def teardown(bot: PodBot) -> None:
    bot.remove_dynamic_items(QuotePageButton, QuoteCardButton)


async def setup(bot: PodBot) -> None:
    bot.add_dynamic_items(QuotePageButton, QuoteCardButton)
    await bot.add_cog(Quote(bot))
