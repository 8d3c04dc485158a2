"""HTML show notes to text, run by hand: `python -m bench.html_text`.

Times bot.ingest.html_text.html_to_text over the show notes of the generated 15 MB feed (bench.feeds: 500
items whose notes carry a chapter list and a whole transcript in HTML), and over the same notes made
messier (attributes holding `>`, entities, comments, scripts), which is what a real parser is for.
Prints the median and fastest of repeated runs; the machine is shared, so compare runs made together.
"""

from __future__ import annotations

import argparse

from bench.feeds import _median_ms, cached_feed
from bot.ingest.feed import read_feed
from bot.ingest.html_text import html_to_text


def messy(markup: str) -> str:
    return (
        markup.replace("<p>", '<p class="t" title="a>b">', 50)
        .replace("</p>", "</p><!-- gap --><script>var x = '<p>';</script>", 20)
        .replace(" model ", " model&nbsp;&amp;&#8217; ", 100)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    notes = [item.markup for item in read_feed(cached_feed()).items]
    for label, documents in (("feed notes", notes), ("messy notes", [messy(n) for n in notes])):
        size = sum(map(len, documents)) / 1e6
        lines = sum(html_to_text(d).count("\n") + 1 for d in documents)

        def work(documents: list[str] = documents) -> None:
            for document in documents:
                html_to_text(document)

        median, fastest = _median_ms(work, args.repeats)
        print(
            f"{label:<12} {len(documents)} documents, {size:.1f} MB, {lines} lines: "
            f"median {median:7.1f} ms   min {fastest:7.1f} ms   ({args.repeats} runs)"
        )


if __name__ == "__main__":
    main()
