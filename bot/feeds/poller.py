"""The feed poller: check due feeds, store what is new, announce it exactly once.

One cycle:
1. Every due feed is fetched (conditional GET), read off the event loop, and triaged (bot.feeds.news).
   New and changed items are read in full, their chapter and transcript files attached, and stored in the
   episode store *before* anything is announced, so `/episode` finds an episode as soon as it is posted.
2. The poll's items, an announcement intent per subscription for each new episode, and the feed's new
   state are recorded in one transaction.
3. Whoever needs to know about new episodes (the search index) is told, once per cycle.
4. Pending announcements are delivered, oldest first and at most `announce_cap` per channel per cycle.
   Each send is claimed (and counted) before it is made; an intent whose claim lapsed in a crash is resent
   with the same nonce and flagged `maybe_sent`, so the announcer can avoid a second copy.

Several processes can share one store (bot.store.leases): each feed's poll is claimed in the database for
a lease, so one process fetches it per interval, and one that dies mid-poll loses the claim when the lease
ends. Each process sends only the announcements of the servers on its shards (bot.shards).

A failing feed backs off exponentially, warns its channels once, and is paused; nothing one feed or one
channel does stops the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.feeds import schedule
from bot.feeds.announce import Announcement, PostResult, PostStatus
from bot.feeds.news import Triage, triage
from bot.feeds.source import explain_parse_error, shared_guid_notice
from bot.ingest.errors import ParseError
from bot.ingest.feed import FeedDocument, read_feed
from bot.interpreter import full_collections_deferred, release_gradually
from bot.links import redact_credentials
from bot.models import ParsedSource
from bot.net.fetch import FEED_LIMITS, FetchError, Limits, Validators
from bot.shards import Shards
from bot.store.feed_items import ItemRecord
from bot.store.feed_state import PollSuccess
from bot.store.leases import process_name
from bot.text import fold

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from bot.feeds.announce import Announcer
    from bot.feeds.files import FileReader
    from bot.ingest.feed import FeedItem
    from bot.models import Episode
    from bot.net.fetch import Fetcher, FetchResult
    from bot.store import Store, StoredEpisode
    from bot.store.announcements import PendingAnnouncement
    from bot.store.feed_items import ItemIndex
    from bot.store.feed_state import FeedState

log = logging.getLogger(__name__)


# After an error outside a cycle (the store, say), the loop waits this long before it tries again.
ERROR_PAUSE_S = 60.0
# A process that shares the work looks for announcements of its servers this often, even with no feed of
# its own due: another process may have polled the feed that has them.
SHARED_DELIVERY_S = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PollerConfig:
    interval: timedelta = timedelta(minutes=15)
    # At most this many announcements per channel per cycle; the rest wait for the next cycle.
    announce_cap: int = 3
    # Chapter/transcript files are read for at most this many items per feed per poll (newest first):
    # following a feed with a long back catalogue must not mean a thousand requests at once.
    files_per_poll: int = 20
    max_file_tries: int = 5
    max_post_attempts: int = 5
    concurrent_feeds: int = 16
    feed_limits: Limits = FEED_LIMITS
    # How long a claim on a feed's poll holds: longer than a poll takes (its fetch, files and store, all
    # time-limited), so that only a process that died loses it; then another polls the feed.
    poll_lease: timedelta = timedelta(minutes=5)
    # A send takes seconds; a crashed sender's announcement is resent (as "maybe sent") after this.
    send_lease: timedelta = timedelta(minutes=1)


@dataclass(slots=True)
class CycleReport:
    checked: int = 0
    unchanged: int = 0
    failed: int = 0
    stored: int = 0
    announced: int = 0
    delivered: int = 0
    delivery_failures: int = 0
    errors: dict[str, str] = field(default_factory=dict)


_MARKDOWN = re.compile(r"([\\*_~`|>\[\]])")


def _plain(text: str) -> str:
    """Feed text shown in a Discord message as written, not as markdown."""
    return _MARKDOWN.sub(r"\\\1", text)


def _read(body: bytes, url: str) -> tuple[str, FeedDocument]:
    # Both are CPU work over the whole body: done together, in a worker thread.
    return hashlib.sha256(body).hexdigest(), read_feed(body, feed_url=url)


class Poller:
    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        files: FileReader,
        announcer: Announcer,
        config: PollerConfig | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        on_stored: Callable[[], Awaitable[None]] | None = None,
        shards: Shards | None = None,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.files = files
        self.announcer = announcer
        self.config = config or PollerConfig()
        self.clock = clock
        # Called once per cycle when episodes were stored, before anything is announced: the search index
        # is rebuilt there, so an announced episode is one `/episode` can find.
        self.on_stored = on_stored
        # The servers whose announcements this process sends, and its name in the store's claims.
        self.shards = shards or Shards()
        self.owner = owner or process_name()
        self._nap: asyncio.Future[None] | None = None

    # --- the loop -----------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Check now (a feed was just followed) instead of at the next due time."""
        if self._nap is not None:
            self._nap.cancel()

    async def run_forever(self) -> None:
        """Cycle until cancelled, sleeping until the next feed is due (or wake() is called). Whatever fails
        is logged and the loop goes on: a poll task that dies stops announcements until a restart."""
        interval = self.config.interval.total_seconds()
        while True:
            try:
                await self._cycle_logged()
                due = await self.store.follows.next_due()
                delay = interval if due is None else (due - self.clock()).total_seconds()
                delay = min(max(delay, 1.0), interval)
                if self.shards.shared:
                    delay = min(delay, SHARED_DELIVERY_S)
            except Exception:
                log.exception("the feed poll loop failed; trying again shortly")
                delay = min(ERROR_PAUSE_S, interval)
            # The sleep is a task of its own so that wake() can end it without cancelling this loop.
            self._nap = asyncio.ensure_future(asyncio.sleep(delay))
            try:
                await asyncio.wait({self._nap})
            finally:
                self._nap.cancel()
                self._nap = None

    async def _cycle_logged(self) -> None:
        try:
            await self.run_cycle()
        except Exception:
            log.exception("feed poll cycle failed")

    async def run_cycle(self) -> CycleReport:
        report = CycleReport()
        feeds = await self.store.follows.claim_due_feeds(
            self.clock(), owner=self.owner, lease=self.config.poll_lease
        )
        slots = asyncio.Semaphore(self.config.concurrent_feeds)

        async def one(feed: FeedState) -> None:
            async with slots:
                await self._poll_isolated(feed, report)

        await asyncio.gather(*(one(feed) for feed in feeds))
        if report.stored and self.on_stored is not None:
            try:
                await self.on_stored()
            except Exception:
                # The episodes are stored; announcing them beats holding them back over an index.
                log.exception("refreshing after storing new episodes failed")
        await self.deliver(report)
        return report

    # --- one feed -----------------------------------------------------------------------------------------

    async def _poll_isolated(self, feed: FeedState, report: CycleReport) -> None:
        report.checked += 1
        try:
            await self._poll_claimed(feed, report)
        finally:
            # Its outcome is recorded (or the poll broke): the next one is whoever's turn comes.
            try:
                await self.store.follows.release_feed(feed.id, owner=self.owner)
            except Exception:
                # The lease ends by itself; meanwhile nobody else polls the feed, which is not harm.
                log.exception("releasing the poll of feed %d failed", feed.id)

    async def _poll_claimed(self, feed: FeedState, report: CycleReport) -> None:
        try:
            await self.poll_feed(feed, report)
        except (FetchError, ParseError) as exc:
            report.failed += 1
            report.errors[feed.url] = str(exc)
            await self._failed(feed, str(exc), getattr(exc, "retry_after_s", None))
        except Exception:
            # A bug must not stop the other feeds, nor make this one retry every minute.
            log.exception("polling %s failed unexpectedly", redact_credentials(feed.url))
            report.failed += 1
            report.errors[feed.url] = "internal error"
            await self._failed(
                feed, "podbot could not process the feed (an internal error; see the log)", None
            )

    async def poll_feed(self, feed: FeedState, report: CycleReport) -> None:
        now = self.clock()
        follows = self.store.follows
        pending_files = await follows.has_pending_files(feed.id)
        # Files still to read need the items, so the feed is fetched in full until they are read.
        validators = None if pending_files else Validators(feed.etag, feed.last_modified)
        fetched = await self.fetcher.fetch(feed.url, limits=self.config.feed_limits, validators=validators)
        next_check = schedule.after_success(now, self.config.interval, feed.url)
        if fetched.not_modified:
            report.unchanged += 1
            await follows.record_unchanged(feed.id, self._success(fetched, None, None, next_check), now=now)
            return
        try:
            body_hash, document = await asyncio.to_thread(_read, fetched.body, feed.url)
        except ParseError as exc:
            raise ParseError(explain_parse_error(exc, fetched.content_type)) from None
        # Said on every read, as the feed stands now: "" once the publisher has fixed their GUIDs.
        shared = shared_guid_notice(document.shared_guids) or ""
        if shared and shared != feed.shared_guids:
            log.info("feed %s: %s", redact_credentials(feed.url), shared)
        if body_hash == feed.body_hash and not pending_files:
            report.unchanged += 1
            await follows.record_unchanged(
                feed.id, self._success(fetched, body_hash, None, next_check, shared), now=now
            )
            return

        index = await follows.item_index(feed.id, now=now)
        # In a worker thread: comparing fingerprints hashes every item's show notes (the 15 MB bench
        # feed's: a 50-100 ms stall of the event loop).
        found = await asyncio.to_thread(
            triage, document.items, index, has_baseline=feed.baseline_at is not None
        )
        records: list[ItemRecord] = []
        to_announce: list[ItemRecord] = []
        if found.to_store:
            # While the parsed episodes are alive: a full collection would walk them all and free none.
            with full_collections_deferred():
                records, to_announce = await self._store_items(feed, document, found, index, report)
        success = self._success(fetched, body_hash, document.show.title, next_check, shared)
        report.announced += await follows.record_poll(feed.id, success, records, to_announce, now=now)
        if feed.baseline_at is None:
            log.info(
                "following %s: %d episodes already listed, none announced",
                redact_credentials(feed.url),
                len(document.items),
            )

    async def _store_items(
        self, feed: FeedState, document: FeedDocument, found: Triage, index: ItemIndex, report: CycleReport
    ) -> tuple[list[ItemRecord], list[ItemRecord]]:
        """Read, store and free the items to store; (every item's record, the records to announce)."""
        records: list[ItemRecord] = []
        to_announce: list[ItemRecord] = []
        episodes = await self._read_items(document, found.to_store, index)
        source = ParsedSource(
            format=document.format, show=document.show, episodes=tuple(e for e, _ in episodes)
        )
        # A feed a server follows: its show is not one of the instance's defaults for that.
        stored = await self.store.catalog.ingest(source, label=feed.url, origin="server", location=feed.url)
        report.stored += len(stored.added) + len(stored.updated)
        new_keys = {item.guid for item in found.new}
        for (episode, record), episode_id in zip(episodes, stored.episode_ids, strict=True):
            record = replace(record, episode_id=episode_id)
            records.append(record)
            if episode.guid in new_keys:
                to_announce.append(record)
        # Announce in triage order: oldest first.
        order = {item.guid: i for i, item in enumerate(found.new)}
        to_announce.sort(key=lambda r: order[r.item_key])
        # The list now holds the only references to the parsed episodes: they are freed off the loop.
        del source, episode
        await release_gradually(episodes)
        return records, to_announce

    async def _read_items(
        self, document: FeedDocument, items: Sequence[FeedItem], index: ItemIndex
    ) -> list[tuple[Episode, ItemRecord]]:
        """Full episodes (notes read, files attached where due) and how to remember each item."""
        # Both CPU work over every item's show notes: reading them, and the fingerprint remembered.
        read = await asyncio.to_thread(
            lambda: [(document.complete(item), item.fingerprint) for item in items]
        )
        episodes = [episode for episode, _ in read]
        tries = {key: known.file_tries for key, known in index.items.items()}
        # Files for the first `files_per_poll` items that have any and have tries left; the triage lists new
        # items first, then the others, and the feed lists the newest first within each.
        with_files = [
            i
            for i, episode in enumerate(episodes)
            if (episode.chapters_url or episode.transcript_urls)
            and tries.get(episode.guid, 0) < self.config.max_file_tries
        ]
        read_now = with_files[: self.config.files_per_poll]
        later = set(with_files[self.config.files_per_poll :])
        attached = (await self.files.attach_all([episodes[i] for i in read_now])).episodes
        by_position = dict(zip(read_now, attached, strict=True))
        result = []
        for i, (item, (episode, fingerprint)) in enumerate(zip(items, read, strict=True)):
            previous_tries = tries.get(item.guid, 0)
            pending, file_tries, file_error = False, previous_tries, None
            if i in by_position:
                episode = by_position[i].episode
                if by_position[i].failures:
                    file_tries = previous_tries + 1
                    file_error = "; ".join(str(f) for f in by_position[i].failures)
                    pending = file_tries < self.config.max_file_tries
                    log.info("%s: files not read (try %d): %s", episode.title, file_tries, file_error)
                else:
                    file_tries = 0
            elif i in later:
                pending = True  # its turn comes on a later poll
            result.append(
                (
                    episode,
                    ItemRecord(
                        item_key=item.guid,
                        title_key=fold(episode.title),
                        audio_url=episode.audio_url,
                        published=episode.published,
                        fingerprint=fingerprint,
                        episode_id=None,
                        files_pending=pending,
                        file_tries=file_tries,
                        file_error=file_error,
                    ),
                )
            )
        return result

    def _success(
        self,
        fetched: FetchResult,
        body_hash: str | None,
        title: str | None,
        next_check: datetime,
        shared_guids: str | None = None,
    ) -> PollSuccess:
        return PollSuccess(
            etag=fetched.validators.etag,
            last_modified=fetched.validators.last_modified,
            body_hash=body_hash,
            title=title,
            next_check=next_check,
            shared_guids=shared_guids,
        )

    async def _failed(self, feed: FeedState, error: str, retry_after_s: float | None) -> None:
        now = self.clock()
        failures = feed.failures + 1
        next_check = schedule.after_failure(now, self.config.interval, failures, retry_after_s=retry_after_s)
        failures, warn_now, paused_now = await self.store.follows.record_failure(
            feed.id,
            error,
            next_check=next_check,
            now=now,
            warn_at=schedule.WARN_AFTER,
            pause_at=schedule.PAUSE_AFTER,
        )
        shown = redact_credentials(feed.url)
        log.warning("feed %s failed (%d in a row): %s", shown, failures, error)
        if paused_now:
            log.warning("feed %s paused after %d failures", shown, failures)
        if warn_now:
            await self._warn_channels(feed, error, failures, now)

    async def _warn_channels(self, feed: FeedState, error: str, failures: int, now: datetime) -> None:
        remaining = schedule.PAUSE_AFTER - failures
        until_pause = sum(
            (
                schedule.after_failure(now, self.config.interval, n) - now
                for n in range(failures + 1, schedule.PAUSE_AFTER + 1)
            ),
            timedelta(),
        )
        since = feed.failing_since or now
        name = _plain(feed.title or redact_credentials(feed.url))
        text = (
            f"⚠️ I have not been able to read the feed of **{name}** since "
            f"<t:{int(since.timestamp())}:f>: {_plain(error)}.\n"
            f"If the next {remaining} checks fail too ({schedule.describe_delay(until_pause)}), I will stop "
            f"checking it. A server manager can see details with `/announce status`; `/announce set` resumes "
            f"a paused feed."
        )
        for subscription in await self.store.follows.subscriptions(feed_id=feed.id):
            result = await self._call_announcer(self.announcer.warn(subscription.channel_id, text))
            if result.status is not PostStatus.SENT:
                await self.store.follows.set_subscription_error(subscription.id, result.error, now=now)

    # --- delivery -----------------------------------------------------------------------------------------

    async def deliver(self, report: CycleReport | None = None) -> CycleReport:
        """Post pending announcements: per channel in order, channels side by side, each in isolation."""
        report = report or CycleReport()
        # Only the servers on this process's shards: their gateway connection is here.
        pending = [
            a for a in await self.store.follows.pending_announcements() if self.shards.owns(a.guild_id)
        ]
        by_subscription: dict[int, list[PendingAnnouncement]] = {}
        for announcement in pending:
            by_subscription.setdefault(announcement.subscription_id, []).append(announcement)
        episode_ids = [a.episode_id for a in pending if a.episode_id is not None]
        episodes = {s.id: s for s in await self.store.catalog.get_many(list(dict.fromkeys(episode_ids)))}

        async def channel(queue: list[PendingAnnouncement]) -> None:
            for announcement in queue[: self.config.announce_cap]:
                try:
                    if not await self._deliver_one(announcement, episodes, report):
                        break  # the channel does not work now; its other announcements wait too
                except Exception:
                    log.exception("delivering announcement %d failed unexpectedly", announcement.id)
                    break

        await asyncio.gather(*(channel(queue) for queue in by_subscription.values()))
        return report

    async def _deliver_one(
        self, pending: PendingAnnouncement, episodes: dict[int, StoredEpisode], report: CycleReport
    ) -> bool:
        follows = self.store.follows
        stored = episodes.get(pending.episode_id) if pending.episode_id is not None else None
        if stored is None:
            await follows.mark_failed(
                pending.id, "the episode is no longer in the store", now=self.clock(), final=True
            )
            return True
        attempts = await follows.claim_announcement(
            pending.id, owner=self.owner, now=self.clock(), lease=self.config.send_lease
        )
        if attempts is None:
            return True  # another process is sending it, or has sent it since the list was read
        result = await self._call_announcer(
            self.announcer.announce(
                Announcement(
                    channel_id=pending.channel_id,
                    role_id=pending.role_id,
                    episode=stored,
                    nonce=pending.nonce,
                    maybe_sent=attempts > 1,
                    recorded_at=pending.created_at,
                    template=pending.template,
                    thread=pending.thread,
                )
            )
        )
        now = self.clock()
        if result.status is PostStatus.SENT:
            await follows.mark_sent(pending.id, result.message_id, now=now)
            report.delivered += 1
            return True
        report.delivery_failures += 1
        error = result.error or "unknown error"
        final = result.status is PostStatus.FAILED or attempts >= self.config.max_post_attempts
        log.warning("announcement in channel %d failed (%s): %s", pending.channel_id, result.status, error)
        await follows.mark_failed(pending.id, error, now=now, final=final)
        return False

    async def _call_announcer(self, call: Awaitable[PostResult]) -> PostResult:
        """The announcer promises not to raise; if it does anyway, that is a retry, not a crashed cycle."""
        try:
            return await call
        except Exception as exc:
            log.exception("the announcer raised")
            return PostResult.retry(f"{type(exc).__name__}: {exc}")
