"""A store file with damaged pages, made for real: garbage written over pages of a store SQLite wrote."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

PAGE = 4096


def damage_pages(path: Path, *, first: int = 10, every: int = 7, seed: int = 9) -> None:
    """Overwrite every `every`-th page from page `first` on with random bytes, as a failing disk or a
    half-copied file would leave it. The header page and the schema (pages 1–9) stay readable, so the
    store still opens; the damage is met by whichever read reaches it."""
    rng = random.Random(seed)
    size = path.stat().st_size
    with path.open("r+b") as file:
        for page in range(first, size // PAGE, every):
            file.seek(page * PAGE)
            file.write(rng.randbytes(PAGE))
