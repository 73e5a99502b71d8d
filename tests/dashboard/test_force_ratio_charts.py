"""/force-ratio and / for any pair: the measure control, pickers that offer only what the data
can draw, values outside the data falling back with a message, A = B refused. India and
Pakistan come from the hand-made World Bank and COW files of tests/data/pairs (pairs_data_dir):
2016 total armed forces India 1,400,000 (COW) to 2,800,000 (WDI), Pakistan 600,000 to 900,000."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboard.charts import render
from dashboard.charts.force_ratio import MEASURE, STRENGTH_A, STRENGTH_YEAR
from dashboard.components import page_params, picks
from dashboard.pages import force_ratio as page
from dashboard.pages import overview
from tests.export.conftest import clear_caches
from validation import load_catalog

IND_PAK = {"a": "IND", "b": "PAK", "year": 2016, "measure": "total_military"}


@pytest.fixture(scope="module", autouse=True)
def pairs(pairs_data_dir) -> Iterator[None]:
    """The process reading the embedded data and pairs_data_dir for this module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MILBAL_DATA_DIR", str(pairs_data_dir))
        clear_caches()
        yield
    clear_caches()


def settled(**query: str) -> tuple[dict, list[str]]:
    return page_params(page.PARAMS, query)


def force_ratio(values: dict):
    own = {"terrain": "general", "share_a": 100.0, "share_b": 100.0, **values}
    return render("force-ratio", own)


def text_of(component) -> str:
    """Every string in a component tree (objects or the plain dicts Dash sends), joined."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, dict):
        return text_of(component.get("props", {}).get("children"))
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


class TestDefaults:
    def test_aze_arm_2020_keeps_the_wartime_strength_of_the_essay(self):
        values, problems = settled()
        assert (values["a"], values["b"], values["year"]) == ("AZE", "ARM", 2020)
        assert values["measure"] == "wartime_strength" and problems == []
        caption = force_ratio(values).caption
        assert caption.startswith(
            "Wartime strength: Azerbaijan (100% committed: 130,000-140,000) against "
            "Armenia (100%: 60,000-65,000), 2020: ratio 2.00-2.33 (mid 2.16)."
        )

    def test_a_pair_takes_its_latest_year_and_best_measure(self):
        values, problems = settled(a="IND", b="PAK")
        assert (values["year"], values["measure"]) == (2016, "total_military")
        assert problems == []


class TestIndiaAgainstPakistan:
    def test_caption_names_the_measure_and_spans_both_sources(self):
        rendered = force_ratio(IND_PAK)
        # 1,400,000/900,000 = 1.56; 2,800,000/600,000 = 4.67; mids 2,100,000/750,000 = 2.80
        assert rendered.caption.startswith(
            "Total armed forces: India (100% committed: 1,400,000-2,800,000) against "
            "Pakistan (100%: 600,000-900,000), 2016: ratio 1.56-4.67 (mid 2.80). "
            "3:1 rule for general terrain met only in part"
        )
        assert {"import-wdi-personnel", "import-nmc"} <= set(rendered.source_ids)
        assert rendered.data["measure_name"].tolist() == ["total armed forces"]

    def test_without_a_measure_the_export_takes_the_best(self):
        rendered = force_ratio({**IND_PAK, "measure": None})
        assert rendered.error is None
        assert rendered.data["measure"].tolist() == ["total_military"]

    def test_one_source_year_gives_a_point(self):
        caption = force_ratio({**IND_PAK, "year": 2015}).caption
        assert "India (100% committed: 2,700,000) against Pakistan (100%: 930,000)" in caption
        assert "ratio 2.90 (mid 2.90)" in caption


class TestPickers:
    def test_measures_offered_are_those_the_pair_has(self):
        catalog = load_catalog()
        assert list(MEASURE.listed(catalog, IND_PAK)) == ["total_military"]
        aze_arm = {"a": "AZE", "b": "ARM", "year": 2020, "measure": "wartime_strength"}
        assert list(MEASURE.listed(catalog, aze_arm)) == ["wartime_strength"]
        assert [o["label"] for o in picks(MEASURE, IND_PAK)] == ["total armed forces"]

    def test_several_choices_are_listed_one_by_one(self):
        from dashboard.charts.rankings import COUNTRIES

        labels = [o["label"] for o in picks(COUNTRIES, {"countries": ("AZE", "ARM")})]
        # one option per country, named (not one per letter of a code)
        assert (
            "Azerbaijan (AZE)" in labels and "A" not in labels and len(labels) == len(set(labels))
        )

    def test_years_offered_are_the_years_the_pair_has(self):
        assert list(STRENGTH_YEAR.listed(load_catalog(), IND_PAK)) == [2016, 2015]

    def test_countries_offered_have_figures_for_the_year_and_measure_by_name(self):
        labels = [o["label"] for o in picks(STRENGTH_A, IND_PAK)]
        assert {"India (IND)", "Indonesia (IDN)", "Pakistan (PAK)", "Azerbaijan (AZE)"} <= set(
            labels
        )
        assert not any("GEO" in label for label in labels)  # Georgia has no figures
        in_2015 = [o["value"] for o in picks(STRENGTH_A, {**IND_PAK, "year": 2015})]
        assert in_2015 == ["IND", "PAK"]


class TestFallbacks:
    def test_a_year_the_pair_lacks_falls_back_to_its_latest(self):
        values, problems = settled(a="IND", b="PAK", year="2020")
        assert values["year"] == 2016
        assert problems == [
            "year: India (IND) and Pakistan (PAK) have no personnel figures in common for "
            "2020; showing 2016"
        ]

    def test_a_measure_the_pair_lacks_falls_back_to_the_best(self):
        values, problems = settled(a="IND", b="PAK", year="2016", measure="wartime_strength")
        assert values["measure"] == "total_military"
        assert problems == [
            "measure: India (IND) and Pakistan (PAK) have no figures of wartime strength for "
            "2016; showing total armed forces"
        ]

    def test_a_country_without_figures_falls_back_to_the_default(self):
        values, problems = settled(a="GEO")
        assert values["a"] == "AZE"
        assert problems == ["a: Georgia (GEO) has no personnel figures; showing Azerbaijan (AZE)"]

    def test_a_measure_that_is_no_measure_falls_back_once(self):
        # the parse says why; settling the default (the best) adds nothing (was a 500)
        values, problems = settled(a="IND", b="PAK", measure="0")
        assert values["measure"] == "total_military"
        assert len(problems) == 1 and problems[0].startswith("measure: '0' is not one of")

    def test_the_same_country_twice_is_refused_with_a_message(self):
        values, problems = settled(a="IND", b="IND")
        assert problems == ["a, b: both are India (IND); choose two different countries"]
        rendered = force_ratio(values)
        assert rendered.error is not None
        assert "choose two different countries" in rendered.caption


class TestOverview:
    def test_any_pair_with_its_best_measure_named(self):
        text = text_of(overview.layout(a="IND", b="PAK"))
        assert "India and Pakistan, 2016" in text
        assert "Manpower: total armed forces" in text
        assert "1,400,000-2,800,000" in text and "600,000-900,000" in text
        assert "Total armed forces: India" in text  # the force ratio's caption
        assert "opening strikes" not in text  # the 2020 war is Azerbaijan's and Armenia's

    def test_the_2020_case_keeps_its_cards(self):
        text = text_of(overview.layout())
        assert "Azerbaijan and Armenia, 2020" in text
        assert "Manpower: wartime strength" in text and "The opening strikes" in text

    def test_controls_rewrite_the_url_and_redraw(self):
        out = overview.update_overview("IND", "PAK", 2016)
        assert out[0] == "?a=IND&b=PAK&year=2016"
        assert "India and Pakistan, 2016" in out
        refused = overview.update_overview("PAK", "PAK", 2016)
        assert "choose two different countries" in text_of(refused[1])
        cards = refused[3 + len(overview.control_outputs(overview.PAGE, overview.PARAMS))]
        assert text_of(cards) == "Choose two different countries."  # no cards
        # and no force ratio: the chart's caption is its message alone
        assert text_of(refused[-3]).startswith("No data for this selection")
