"""Pages of the sharded listing index: each shard is queried on its own, and only what is known to
come before anything still unread in any shard is served, so that a page is bounded in reads and
in order however the shards differ.

A position is an index sort key: a page continues from it, inclusive, and skips it. A cursor
therefore holds one string, whatever the number of shards."""

from __future__ import annotations

import dataclasses

from customer_api.store.codecs import Item

# The highest character: a bound above every string that starts with a given prefix.
LAST_CHAR = "\U0010ffff"


@dataclasses.dataclass(frozen=True, slots=True)
class ShardPage:
    items: list[Item]  # in the shard's order of the query
    more: bool  # the query stopped at its limit: the shard has unread items past the last one


def sort_key(item: Item) -> str:
    value: str = item["list_sk"]["S"]
    return value


def _read_through(position: str, frontier: str, *, descending: bool) -> bool:
    """Whether every shard has been read past `position`."""
    return position >= frontier if descending else position <= frontier


def merged(pages: list[ShardPage], *, descending: bool, after: str | None) -> tuple[list[Item], str | None]:
    """The items of every shard in one order, only those that come before every unread item,
    without the one at `after`; and the frontier: the position up to which every shard has been
    read (None when every shard was read to its end)."""
    frontier = _frontier(pages, descending=descending)
    items = [item for page in pages for item in page.items if sort_key(item) != after]
    if frontier is not None:
        items = [item for item in items if _read_through(sort_key(item), frontier, descending=descending)]
    return sorted(items, key=sort_key, reverse=descending), frontier


def _frontier(pages: list[ShardPage], *, descending: bool) -> str | None:
    """The position every shard has been read past: the furthest back of the shards that
    stopped at their limit (None when none did)."""
    ends = [sort_key(page.items[-1]) for page in pages if page.more and page.items]
    if not ends:
        return None
    return max(ends) if descending else min(ends)
