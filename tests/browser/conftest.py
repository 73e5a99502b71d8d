"""Helpers the browser tests share, as one `ui` fixture wrapping the test's `page`: read what
plotly drew, wait for captions, use the controls from the keyboard, open a page and wait for
Dash's first controls callback."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# Everything the tests read from a drawn dcc.Graph: the traces and the axis settings.
_PLOT_JS = """id => {
    const div = document.getElementById(id).querySelector('.js-plotly-plot');
    const l = div.layout;
    return {
        traces: div.data.map(t => ({name: t.name, type: t.type, x: t.x, y: t.y,
                                    hovertext: t.hovertext})),
        xtitle: l.xaxis.title?.text, ytitle: l.yaxis.title?.text, ytype: l.yaxis.type,
        yrange: l.yaxis.range, yautorange: l.yaxis.autorange,
    };
}"""


class UI:
    """The page of one test, with the steps the browser tests take on it."""

    def __init__(self, page) -> None:
        self.page = page

    def open_settled(self, url: str, query: str) -> None:
        """Open the page and wait until the controls callback Dash runs once after drawing it
        has come back, seen as the URL's query rewritten to `query` (the parsed, corrected
        one): interaction before it could be undone by it."""
        self.page.goto(url)
        self.wait_for_query(query)

    def wait_for_query(self, query: str) -> None:
        self.page.wait_for_function("q => location.search === q", arg=query)

    def plot(self, graph_id: str) -> dict:
        """What plotly drew in a dcc.Graph, once drawn: traces (name, type, x, y, hovertext)
        and axis settings (xtitle, ytitle, ytype, yrange, yautorange)."""
        self.page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
        return self.page.evaluate(_PLOT_JS, graph_id)

    def traces(self, graph_id: str) -> list[dict]:
        return self.plot(graph_id)["traces"]

    def names(self, graph_id: str) -> list[str]:
        return [t["name"] for t in self.traces(graph_id)]

    def caption(self, slug: str, text: str) -> str:
        """Wait until chart `slug`'s caption contains `text`; return the whole caption."""
        locator = self.page.locator(f"#caption-{slug}")
        locator.filter(has_text=text).wait_for()
        return locator.inner_text()

    def messages(self, page_name: str) -> str:
        """The messages about the query shown above a page."""
        return self.page.locator(f"#{page_name}-messages").inner_text()

    def shown(self, control_id: str) -> str:
        """The text a control shows (a dropdown's chosen value)."""
        return self.page.locator(f"#{control_id}").inner_text().strip()

    def focused_option(self) -> str | None:
        return self.page.evaluate("() => document.activeElement.value")

    def pick(self, control_id: str, option: str) -> None:
        """Keyboard only, single choice: open the dropdown, arrow down to the option, select
        it. Focus moves a moment after each key press, so wait for it to move before pressing
        again."""
        page = self.page
        page.locator(f"#{control_id}").focus()
        page.keyboard.press("Enter")
        page.locator("[role=listbox]").wait_for()
        page.wait_for_function("() => document.activeElement.type === 'radio'")
        for _ in range(10):
            current = self.focused_option()
            if current == option:
                break
            page.keyboard.press("ArrowDown")
            page.wait_for_function("v => document.activeElement.value !== v", arg=current)
        assert self.focused_option() == option
        page.keyboard.press("Enter")

    def toggle(self, control_id: str, text: str) -> None:
        """Keyboard only, several choices: open the list, search, toggle the match, close."""
        page = self.page
        page.locator(f"#{control_id}").focus()
        page.keyboard.press("Enter")
        page.locator("[role=listbox]").wait_for()
        page.wait_for_function("() => document.activeElement.type === 'search'")
        page.keyboard.type(text)
        page.locator("[role=option]").filter(has_text=text.upper()).wait_for()
        page.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.locator("[role=listbox]").wait_for(state="detached")

    def listed(self, control_id: str, typed: str = "") -> list[str]:
        """Open a dropdown, type into its search box (if `typed`), and return the options it
        lists once every one matches; the list stays open."""
        page = self.page
        page.locator(f"#{control_id}").click()
        page.locator("[role=listbox]").wait_for()
        if typed:
            # typed into the search box itself: a key pressed while focus is still moving
            # to it would be lost
            search = page.locator("[role=listbox] input[type=search], input[type=search]").first
            search.wait_for()
            for attempt in range(3):
                # under load a key press can be lost, or a list redrawn while it was typed:
                # type it again
                search.fill("")
                search.press_sequentially(typed)
                try:
                    page.wait_for_function(
                        "t => [...document.querySelectorAll('[role=option]')].every("
                        "o => o.innerText.toLowerCase().includes(t))",
                        arg=typed.lower(),
                        timeout=10_000,
                    )
                    break
                except PlaywrightTimeout:
                    if attempt == 2:
                        raise
        return page.locator("[role=option]").all_inner_texts()

    def choose(self, control_id: str, text: str) -> None:
        """Open a dropdown, type `text` into its search box and pick the option shown so."""
        self.listed(control_id, text)
        self.page.get_by_role("option", name=text, exact=True).click()

    def type_number(self, control_id: str, text: str) -> None:
        """Keyboard only: replace a number input's value and commit it with Enter."""
        self.page.locator(f"#{control_id}").focus()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")


@pytest.fixture
def ui(page) -> UI:
    return UI(page)
