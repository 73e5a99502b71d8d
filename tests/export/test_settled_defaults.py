"""A chart exported without some of its parameters draws what the page would show for them:
/chart/force-ratio.csv?a=IND&b=PAK takes the pair's latest common year and best measure (as
/force-ratio?a=IND&b=PAK does), not the default 2020 for which they have no figures; a value
the query states is kept as stated."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.cli import main
from dashboard.factory import create_app


@pytest.fixture(scope="module")
def client():
    return create_app().server.test_client()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_route_settles_the_year_and_measure_left_out(client):
    response = client.get("/chart/force-ratio.csv?a=IND&b=PAK")
    assert response.status_code == 200, response.data
    (row,) = rows(response.get_data(as_text=True))
    # WDI and COW both report India and Pakistan up to 2016 (total armed forces), none later.
    assert (row["attacker"], row["defender"], row["year"]) == ("IND", "PAK", "2016")
    assert row["measure"] == "total_military"
    assert 'filename="force-ratio_a-IND_b-PAK.csv"' in response.headers["Content-Disposition"]


def test_stated_year_is_kept_and_refused_with_its_reason(client):
    response = client.get("/chart/force-ratio.csv?a=IND&b=PAK&year=2020")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "for IND and PAK in 2020; they have figures in common for 1947-2016" in text


def test_cli_export_settles_the_same_way(tmp_path, capsys):
    out = tmp_path / "fr.csv"
    code = main(
        ["export", "force-ratio", "-f", "csv", "-o", str(out), "-p", "a=IND", "-p", "b=PAK"]
    )
    assert code == 0, capsys.readouterr().err
    (row,) = rows(out.read_text())
    assert row["year"] == "2016"
