"""Time the exports against building the same figures without export, in one run: per chart,
the figure built afresh (render with its cache cleared; the derived tables and fitted trends stay
memoised, as in a running app) against a warm PNG export (kaleido's server already started), and
a PowerPoint deck of every chart against building all its figures.
Budget (issue 5): a warm PNG export well under a second, here under 1 s for every chart.

    .venv/bin/python benchmarks/bench_export.py [--repeat 10] [--decks 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from dashboard import charts
from dashboard.export import to_image
from dashboard.export.briefing import IMAGE_SCALE, build_briefing

BUDGET_S = 1.0


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timings per chart (median)")
    parser.add_argument("--decks", type=int, default=3, help="decks built (median)")
    args = parser.parse_args()
    registry = charts.load_charts()
    defaults = {slug: {p.name: p.default for p in c.params} for slug, c in registry.items()}

    def build(slug: str):
        charts._render.cache_clear()
        return charts.render(slug, defaults[slug])

    start = time.perf_counter()
    for slug in registry:  # imports, the catalog, derived tables and kaleido's server, once
        to_image(build(slug), "png")
    warm = time.perf_counter() - start
    print(f"warm-up (imports, catalog, kaleido start, one PNG each): {warm:.1f} s")

    print(f"charts: {len(registry)}, repeats: {args.repeat}, PNG 1200x675 at scale 1")
    print(f"{'chart':<22}{'build figure':>14}{'warm PNG':>12}{'PNG / build':>13}")
    builds, pngs = {}, {}
    for slug in registry:
        builds[slug] = _median(lambda slug=slug: build(slug), args.repeat)
        rendered = charts.render(slug, defaults[slug])
        pngs[slug] = _median(lambda r=rendered: to_image(r, "png"), args.repeat)
        print(
            f"{slug:<22}{builds[slug] * 1000:>11.1f} ms{pngs[slug] * 1000:>9.1f} ms"
            f"{pngs[slug] / builds[slug]:>12.1f}x"
        )
    build_all = sum(builds.values())
    png_all = sum(pngs.values())
    print(
        f"{'all charts':<22}{build_all * 1000:>11.1f} ms{png_all * 1000:>9.1f} ms"
        f"{png_all / build_all:>12.1f}x"
    )

    slugs = list(registry)
    rendered = [charts.render(slug, defaults[slug]) for slug in slugs]
    slide_pngs = _median(
        lambda: [to_image(r, "png", scale=IMAGE_SCALE) for r in rendered], args.decks
    )

    def deck() -> None:
        charts._render.cache_clear()
        build_briefing(slugs, {})

    deck_s = _median(deck, args.decks)
    print(
        f"deck of every chart (figures built, slides at 1.5x): median {deck_s:.2f} s over "
        f"{args.decks}, {deck_s / build_all:.1f}x building the figures, "
        f"{deck_s / png_all:.1f}x their warm PNGs at 1x"
    )
    print(
        f"the deck's {len(slugs)} slide images alone ({IMAGE_SCALE:g}x): median {slide_pngs:.2f} s"
    )
    worst = max(pngs, key=pngs.get)
    ok = pngs[worst] < BUDGET_S
    verdict = "within" if ok else "OVER"
    print(f"budget {BUDGET_S:.1f} s a warm PNG: {verdict} (slowest {worst}: {pngs[worst]:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
