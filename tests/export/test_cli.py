"""`milbal export` and `milbal briefing`: files written, bad input refused with exit code 2."""

from __future__ import annotations

import io
import json

import pytest

from dashboard.charts import render
from dashboard.cli import main
from dashboard.export import to_csv
from tests.export.conftest import defaults, png_size


def test_export_csv_is_the_routes_file(tmp_path, client):
    out = tmp_path / "fr.csv"
    code = main(
        [
            "export",
            "force-ratio",
            "--format",
            "csv",
            "--param",
            "terrain=mountain",
            "-p",
            "a=ARM",
            "-p",
            "b=AZE",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert (
        out.read_bytes() == client.get("/chart/force-ratio.csv?terrain=mountain&a=ARM&b=AZE").data
    )
    params = {**defaults("force-ratio"), "terrain": "mountain", "a": "ARM", "b": "AZE"}
    assert out.read_bytes() == to_csv(render("force-ratio", params))


def test_export_json_and_html(tmp_path):
    out = tmp_path / "gap.json"
    assert main(["export", "rank-gap", "-f", "json", "-o", str(out)]) == 0
    assert set(json.loads(out.read_text())) >= {"data", "layout"}
    page = tmp_path / "gap.html"
    assert main(["export", "rank-gap", "-f", "html", "-o", str(page)]) == 0
    assert page.read_text().startswith("<!DOCTYPE html>")


def test_export_png_with_size(tmp_path, chromium):
    out = tmp_path / "gap.png"
    assert (
        main(
            [
                "export",
                "rank-gap",
                "-f",
                "png",
                "--width",
                "500",
                "--height",
                "300",
                "--scale",
                "2",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert png_size(out.read_bytes()) == (1000, 600)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["export", "no-such-chart", "-f", "csv"], "no-such-chart"),
        (["export", "force-ratio", "-f", "xlsx"], "--format"),
        (["export", "force-ratio", "-f", "csv", "-p", "terrain=swamp"], "terrain"),
        (["export", "force-ratio", "-f", "csv", "-p", "colour=red"], "colour"),
        (["export", "force-ratio", "-f", "csv", "-p", "terrain"], "--param"),
        (["export", "force-ratio", "-f", "csv", "-p", "a=AZE", "-p", "a=ARM"], "a"),
        (["export", "force-ratio", "-f", "csv", "--width", "800"], "--width"),
        (["export", "force-ratio", "-f", "png", "--width", "100"], "width"),
        (["export", "force-ratio", "-f", "png", "--height", "5000"], "height"),
        (["export", "force-ratio", "-f", "png", "--scale", "5"], "scale"),
        (["export", "force-ratio", "-f", "png", "--width", "wide"], "--width"),
        (["briefing", "--charts", "force-ratio,no-such-chart"], "no-such-chart"),
        (["briefing", "--charts", "force-ratio", "-p", "terrain=swamp"], "terrain"),
        (["briefing", "--charts", ""], "charts"),
    ],
)
def test_bad_usage_exits_2_naming_it(tmp_path, capsys, args, named):
    out = tmp_path / "out"
    assert main([*args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert named in err
    assert "Traceback" not in err
    assert not out.exists()


def test_export_to_an_unwritable_place_exits_1(tmp_path, capsys):
    assert main(["export", "rank-gap", "-f", "csv", "-o", str(tmp_path / "no" / "x.csv")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_briefing_shows_progress_and_writes_a_deck(tmp_path, capsys, chromium):
    from pptx import Presentation

    out = tmp_path / "deck.pptx"
    code = main(
        ["briefing", "--charts", "force-ratio,rank-gap", "-p", "terrain=mountain", "-o", str(out)]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "[1/2] force-ratio" in err and "[2/2] rank-gap" in err
    assert err.index("[1/2]") < err.index("[2/2]")
    deck = Presentation(io.BytesIO(out.read_bytes()))
    assert len(deck.slides) == 4
