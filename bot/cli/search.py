"""`podbot episode`, `quote`, `chapters` and `guest`: the search core from the terminal.

Each prints a readable listing by default and a stable JSON shape with `--json` (documented in
docs/search.md). Nothing found is not an error: exit 0 with `[]`, or a friendly line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.cli.context import (
    CliContext,
    CliError,
    emit_json,
    episode_lines,
    scoped,
    show_json,
    show_option,
    stdout_is_terminal,
    warn,
)
from bot.search import EmptyQuery
from bot.text import format_timestamp

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from bot.core import Core
    from bot.models import Chapter
    from bot.scope import Scope
    from bot.search import EpisodeMatch, EpisodeRef, PersonMatch, QuoteHit, Search
    from bot.store import Store

T = TypeVar("T")

LIMIT = click.IntRange(1, 50)


def _query(words: tuple[str, ...]) -> str:
    # `podbot episode lin qiao` works without quotes: the words are the query.
    query = " ".join(words)
    if not query.strip():
        raise CliError("the query is empty; type a few words to search for")
    return query


def _search(
    ctx: CliContext, show: str | None, work: Callable[[Search, Scope], Coroutine[Any, Any, T]]
) -> tuple[T, bool]:
    """Run `work` with the search and the scope (`--show`, else every show); also whether the scope holds
    several shows (then each answer names its show)."""

    async def session(store: Store) -> tuple[T, bool]:
        async def in_scope(core: Core, scope: Scope, several: bool) -> tuple[T, bool]:
            try:
                return await work(core.search, scope), several
            except EmptyQuery as exc:
                raise CliError(str(exc)) from None

        found = await scoped(ctx, store, show, in_scope)
        if not found[0]:
            # "Nothing found" may only mean that the pages read held nothing: on a damaged file a lookup can
            # miss what is there without meeting the damage. An answer that found something came from pages
            # SQLite read whole; an empty one is trusted once the whole file checks out (milliseconds per
            # 10 MB, paid only when nothing was found).
            await store.verify()
        return found

    return ctx.run(session)


async def _resolve(search: Search, query: str, scope: Scope, also: list[str]) -> EpisodeMatch | None:
    """The episode `query` means, as every command that acts on one episode finds it; the titles of any
    that match almost as well go to `also`, to be named on stderr (`_also_matched`)."""
    best = await search.resolve_episode(query, scope=scope)
    if best is not None and query.strip() != str(best.episode_id):
        runners_up = await search.runners_up(query, best, scope=scope)
        also.extend(f"{m.title} (episode {m.episode_id})" for m in runners_up)
    return best


def _also_matched(also: list[str]) -> None:
    # On stderr: stdout stays the answer (and JSON stays JSON); a person still sees which others came close.
    if also:
        warn(f"also matched: {'; '.join(also)} (give an episode id to pick one)")


def _show_fact(title: str, several: bool) -> list[str]:
    return [f"on {title}"] if several and title else []


def _nothing(as_json: bool, message: str) -> None:
    if as_json:
        emit_json([])
    else:
        click.echo(message)


# --- episode ----------------------------------------------------------------------------------------------


def episode_match_json(m: EpisodeMatch) -> dict[str, Any]:
    return {
        "id": m.episode_id,
        "show": show_json(m.show_id, m.show_title),
        "title": m.title,
        "score": m.score,
        "guests": list(m.guests),
        "duration_s": m.duration_s,
        "published": m.published.isoformat() if m.published else None,
    }


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", type=LIMIT, default=10, show_default=True, help="At most this many episodes.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, best first.")
@show_option
@click.pass_obj
def episode(ctx: CliContext, query: tuple[str, ...], limit: int, as_json: bool, show: str | None) -> None:
    """Find episodes by title or person, forgiving typos (QUERY: words of a title, a guest's name…)."""
    text = _query(query)
    found, several = _search(ctx, show, lambda s, scope: s.episodes(text, scope=scope, limit=limit))
    if not found:
        _nothing(as_json, f"No episode matches {text!r}.")
        return
    if as_json:
        emit_json([episode_match_json(m) for m in found])
        return
    for m in found:
        lines = episode_lines(
            m.episode_id,
            m.title,
            lead=[*_show_fact(m.show_title, several), f"score {m.score:.1f}", f"on {m.matched_on}"],
            published=m.published,
            duration_s=m.duration_s,
            guests=m.guests,
        )
        click.echo("\n".join(lines))


# --- quote ------------------------------------------------------------------------------------------------


def quote_json(hit: QuoteHit) -> dict[str, Any]:
    return {
        "show": show_json(hit.show_id, hit.show_title),
        "episode_id": hit.episode_id,
        "episode_title": hit.episode_title,
        "speaker": hit.speaker,
        "start_s": hit.start_s,
        "text": hit.text,
        "context": {"before": hit.before, "after": hit.after},
    }


def _marked(hit: QuoteHit, *, style: bool) -> str:
    parts, at = [], 0
    for start, end in hit.highlights:
        parts.append(hit.text[at:start])
        word = hit.text[start:end]
        parts.append(click.style(word, bold=True, fg="yellow") if style else f"[{word}]")
        at = end
    parts.append(hit.text[at:])
    return "".join(parts)


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--episode", "-e", "episode_query", help="Only this episode (its id or words of its title).")
@click.option("--limit", "-n", type=LIMIT, default=5, show_default=True, help="At most this many quotes.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, best first.")
@show_option
@click.pass_obj
def quote(
    ctx: CliContext,
    query: tuple[str, ...],
    episode_query: str | None,
    limit: int,
    as_json: bool,
    show: str | None,
) -> None:
    """Find who said something, and when (QUERY: the words you remember; "double quotes" for a phrase)."""
    text = _query(query)
    if episode_query is not None and not episode_query.strip():
        raise CliError("--episode is empty; give an episode id or words of its title")

    untranscribed: list[EpisodeMatch] = []
    also: list[str] = []

    async def work(search: Search, scope: Scope) -> list[QuoteHit]:
        episode_id = None
        if episode_query is not None:
            match = await _resolve(search, episode_query, scope, also)
            if match is None:
                raise CliError(f"no episode matches {episode_query!r}; try `podbot episode` to find it")
            episode_id = match.episode_id
            if not await search.has_transcript(episode_id):
                untranscribed.append(match)
                return []
        return await search.quotes(text, scope=scope, episode_id=episode_id, limit=limit)

    found, several = _search(ctx, show, work)
    _also_matched(also)
    if untranscribed:
        # Not "nobody said it": nobody can have, in a transcript that is not there.
        (match,) = untranscribed
        message = (
            f"{match.title} (episode {match.episode_id}) has no transcript, so nothing in it can be quoted."
        )
        if as_json:
            emit_json([])
            warn(message)
        else:
            click.echo(message)
        return
    if not found:
        _nothing(as_json, f"Nobody said {text!r} in the transcripts.")
        return
    if as_json:
        emit_json([quote_json(h) for h in found])
        return
    style = stdout_is_terminal()
    for hit in found:
        who = hit.speaker or "someone"
        on = f" on {hit.show_title}" if several and hit.show_title else ""
        click.echo(f"{hit.episode_title} (episode {hit.episode_id}{on})")
        click.echo(f"  {format_timestamp(hit.start_s)}  {who}: {_marked(hit, style=style)}")
        if hit.after:
            click.echo(f"        … {hit.after} …")
        click.echo()


# --- chapters ---------------------------------------------------------------------------------------------


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object: the episode and its chapters.")
@show_option
@click.pass_obj
def chapters(ctx: CliContext, query: tuple[str, ...], as_json: bool, show: str | None) -> None:
    """List the chapters of the episode that best matches QUERY (or whose id QUERY is)."""
    text = _query(query)
    also: list[str] = []

    async def work(search: Search, scope: Scope) -> tuple[EpisodeRef, list[Chapter]] | None:
        best = await _resolve(search, text, scope, also)
        return None if best is None else await search.chapters(str(best.episode_id), scope=scope)

    found, several = _search(ctx, show, work)
    _also_matched(also)
    if found is None:
        _nothing(as_json, f"No episode matches {text!r}.")
        return
    ref, toc = found
    if as_json:
        emit_json(
            {
                "show": show_json(ref.show_id, ref.show_title),
                "episode": {"id": ref.episode_id, "title": ref.title},
                "chapters": [{"start_s": c.start_s, "title": c.title} for c in toc],
            }
        )
        return
    on = f" on {ref.show_title}" if several and ref.show_title else ""
    click.echo(f"{ref.title} (episode {ref.episode_id}{on})")
    if not toc:
        click.echo("  This episode has no chapters.")
    for c in toc:
        click.echo(f"  {format_timestamp(c.start_s):>8}  {c.title}")


# --- guest ------------------------------------------------------------------------------------------------


def person_json(p: PersonMatch) -> dict[str, Any]:
    return {
        "name": p.name,
        "episodes": [
            {"id": e.episode_id, "title": e.title, "show": show_json(e.show_id, e.show_title)}
            for e in p.episodes
        ],
    }


@click.command()
@click.argument("name", nargs=-1, required=True)
@click.option("--limit", "-n", type=LIMIT, default=10, show_default=True, help="At most this many people.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, best match first.")
@show_option
@click.pass_obj
def guest(ctx: CliContext, name: tuple[str, ...], limit: int, as_json: bool, show: str | None) -> None:
    """Find a guest or host by name, in any order or spelling, with their episodes."""
    text = _query(name)
    found, several = _search(ctx, show, lambda s, scope: s.people(text, scope=scope, limit=limit))
    if not found:
        _nothing(as_json, f"Nobody called {text!r} is on an episode.")
        return
    if as_json:
        emit_json([person_json(p) for p in found])
        return
    for p in found:
        click.echo(
            f"{p.name} ({', '.join(p.roles)}; {len(p.episodes)} episode{'s' if len(p.episodes) != 1 else ''})"
        )
        for ref in p.episodes:
            on = f"  ({ref.show_title})" if several and ref.show_title else ""
            click.echo(f"  {ref.episode_id:>4}  {ref.title}{on}")


COMMANDS = [episode, quote, chapters, guest]
