"""An empty chart is never exported as a success: `milbal export` exits 1 saying why, the route
answers 404 with the reason in plain text, and a briefing leaves the chart out with a note."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from dashboard.charts import render
from dashboard.cli import main
from dashboard.export import NoData, export_chart, no_data_reason
from dashboard.export.briefing import build_briefing
from tests.export.conftest import defaults

# No equipment counts for Azerbaijan or Armenia in 1990 (the embedded table starts in 2018).
EMPTY = {**defaults("equipment-counts"), "year": 1990}
REASON = "no equipment counts for AZE or ARM in 1990"


def _texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


class TestSharedPath:
    def test_reason_of_an_empty_chart(self):
        assert no_data_reason(render("equipment-counts", EMPTY)) == REASON
        assert no_data_reason(render("equipment-counts", defaults("equipment-counts"))) is None

    @pytest.mark.parametrize("ext", ["csv", "png", "svg", "pdf", "html", "json"])
    def test_every_format_refuses(self, ext):
        with pytest.raises(
            NoData, match=f"equipment-counts: no data for these parameters: {REASON}"
        ):
            export_chart(render("equipment-counts", EMPTY), ext)


class TestCommandLine:
    def test_export_of_an_empty_chart_exits_1_saying_why(self, tmp_path, capsys):
        out = tmp_path / "counts.csv"
        code = main(["export", "equipment-counts", "-f", "csv", "-p", "year=1990", "-o", str(out)])
        assert code == 1
        err = capsys.readouterr().err
        assert err.strip() == (
            f"milbal export: equipment-counts: no data for these parameters: {REASON}"
        )
        assert not out.exists()

    def test_export_of_a_chart_with_data_still_exits_0(self, tmp_path):
        out = tmp_path / "counts.csv"
        assert main(["export", "equipment-counts", "-f", "csv", "-o", str(out)]) == 0
        assert len(out.read_text().splitlines()) > 1

    def test_briefing_says_which_chart_it_leaves_out(self, tmp_path, capsys, chromium):
        out = tmp_path / "deck.pptx"
        args = ["briefing", "--charts", "rank-gap,equipment-counts", "-p", "year=1990"]
        assert main([*args, "-o", str(out)]) == 0
        err = capsys.readouterr().err
        assert (
            "Left out, no data for these parameters: Equipment counts by category "
            f"(equipment-counts): {REASON}"
        ) in err
        assert "[1/1] rank-gap" in err
        assert len(Presentation(str(out)).slides) == 3

    def test_briefing_of_only_empty_charts_exits_1(self, tmp_path, capsys):
        out = tmp_path / "deck.pptx"
        args = ["briefing", "--charts", "equipment-counts", "-p", "year=1990", "-o", str(out)]
        assert main(args) == 1
        assert REASON in capsys.readouterr().err
        assert not out.exists()


class TestRoutes:
    @pytest.mark.parametrize("ext", ["csv", "png", "json"])
    def test_404_with_the_reason_in_plain_text(self, client, ext):
        response = client.get(f"/chart/equipment-counts.{ext}?year=1990")
        assert response.status_code == 404
        assert response.mimetype == "text/plain"
        assert response.get_data(as_text=True) == (
            f"equipment-counts: no data for these parameters: {REASON}\n"
        )

    def test_briefing_of_only_empty_charts_is_404(self, client):
        response = client.get("/briefing.pptx?charts=equipment-counts&year=1990")
        assert response.status_code == 404
        assert REASON in response.get_data(as_text=True)


class TestBriefing:
    def test_an_empty_chart_is_left_out_with_a_note(self, chromium):
        calls = []
        deck = build_briefing(
            ["rank-gap", "equipment-counts"],
            {"year": "1990"},
            progress=lambda i, n, slug: calls.append((i, n, slug)),
        )
        slides = list(Presentation(io.BytesIO(deck)).slides)
        assert len(slides) == 3  # title, rank-gap, sources
        assert calls == [(1, 1, "rank-gap")]
        assert slides[1].shapes.title.text == "Rank gap between the first two countries"
        note = (
            "Left out, no data for these parameters: Equipment counts by category "
            f"(equipment-counts): {REASON}"
        )
        assert note in _texts(slides[0])
        assert note in _texts(slides[2])
        assert "Rank gap between the first two countries —" in _texts(slides[0])
