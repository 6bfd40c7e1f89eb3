"""Driving Tributary's pages (GraphiQL, /stats) in a real, offline Chromium (helpers, not a test module).

Chromium is Debian's (`apt-get install chromium`, at /usr/bin/chromium) driven by the `playwright`
Python package; `playwright install` (its own browser download) is neither needed nor used. Tests
skip when `chromium_available()` is false:

    pytestmark = pytest.mark.skipif(not browser.chromium_available(), reason="no Chromium/Playwright")

    with browser.offline_page(base_url) as (page, foreign):
        browser.open_graphiql(page, f"{base_url}/graphql")
        browser.set_graphiql_headers(page, '{"Authorization": "Bearer trb_…"}')
        browser.set_graphiql_query(page, "{ me { name } }")
        result = json.loads(browser.run_graphiql(page))
        assert foreign == []

The editors are CodeMirror 5 instances (GraphiQL 4.x); their values are set and read through the
CodeMirror API on the element (`.CodeMirror`'s `CodeMirror` property), which is what GraphiQL itself
listens to, and is far steadier than typing (CodeMirror auto-closes brackets and quotes).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Route, WebSocket

CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TIMEOUT_MS = 15_000

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_TAB = '.graphiql-editor-tools button[data-name="headers"]'
TOOL_EDITOR = "section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESPONSE_EDITOR = ".graphiql-response .CodeMirror"
EXECUTE_BUTTON = ".graphiql-execute-button"

_SET_VALUE = """([selector, text]) => {
    const element = document.querySelector(selector);
    if (!element || !element.CodeMirror) throw new Error(`no CodeMirror editor at ${selector}`);
    element.CodeMirror.setValue(text);
    return element.CodeMirror.getValue();
}"""
_GET_VALUE = """(selector) => {
    const element = document.querySelector(selector);
    return element && element.CodeMirror ? element.CodeMirror.getValue() : null;
}"""


def chromium_available() -> bool:
    """Whether Debian's Chromium and the playwright package are both installed."""
    return os.access(CHROMIUM, os.X_OK) and importlib.util.find_spec("playwright") is not None


@contextmanager
def offline_page(
    base_url: str,
    *,
    page_errors: list[str] | None = None,
    width: int = 1280,
    height: int = 800,
    locale: str | None = None,
    timezone_id: str | None = None,
) -> Iterator[tuple[Page, list[str]]]:
    """A fresh headless Chromium page that may reach only this machine (and `base_url`'s host).

    Every request to another host is aborted and its URL recorded in the yielded list (WebSocket
    attempts too, as `ws …`), so a test asserts the list is empty. Given `page_errors`, uncaught
    page errors and console errors (Content-Security-Policy violations among them) are added to it.
    `locale` sets the browser's language (`navigator.languages`, `Accept-Language`, Intl) and
    `timezone_id` its time zone; downloads are accepted (`page.expect_download()`).
    """
    from playwright.sync_api import sync_playwright

    allowed = LOCAL_HOSTS | {urlsplit(base_url).hostname or "127.0.0.1"}
    foreign: list[str] = []

    def route(route: Route) -> None:
        if urlsplit(route.request.url).hostname in allowed:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort("blockedbyclient")

    def websocket(ws: WebSocket) -> None:
        if urlsplit(ws.url).hostname not in allowed:
            foreign.append(f"ws {ws.url}")

    def console(message: ConsoleMessage) -> None:
        if page_errors is not None and message.type == "error":
            page_errors.append(f"console: {message.text}")

    def page_error(error: Exception) -> None:
        if page_errors is not None:
            page_errors.append(f"pageerror: {error}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            # service workers could fetch past page.route; none are wanted here
            context = browser.new_context(
                viewport={"width": width, "height": height},
                service_workers="block",
                accept_downloads=True,
                **({"locale": locale} if locale else {}),
                **({"timezone_id": timezone_id} if timezone_id else {}),
            )
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("websocket", websocket)
            page.on("console", console)
            page.on("pageerror", page_error)
            yield page, foreign
        finally:
            browser.close()


def open_graphiql(page: Page, url: str) -> None:
    """Load the GraphiQL page at `url` and wait until its query editor is up."""
    page.goto(url)
    page.wait_for_selector(QUERY_EDITOR, state="visible")
    page.wait_for_function("(selector) => !!document.querySelector(selector)?.CodeMirror", arg=QUERY_EDITOR)


def _set(page: Page, selector: str, text: str) -> None:
    page.wait_for_selector(selector, state="visible")
    value = page.evaluate(_SET_VALUE, [selector, text])
    assert value == text, f"{selector} holds {value!r} after setting {text!r}"


def get_editor_value(page: Page, selector: str) -> str | None:
    """The text of the CodeMirror editor at `selector` (None when there is none)."""
    value: str | None = page.evaluate(_GET_VALUE, selector)
    return value


def show_graphiql_headers(page: Page) -> None:
    """Open the Headers tab of the editor tools (also unfolding them when they are closed)."""
    tab = page.locator(HEADERS_TAB)
    if "active" not in (tab.get_attribute("class") or "").split() or not page.is_visible(TOOL_EDITOR):
        tab.click()
    page.wait_for_selector(TOOL_EDITOR, state="visible")


def graphiql_headers(page: Page) -> str | None:
    """What the header editor holds now."""
    show_graphiql_headers(page)
    return get_editor_value(page, TOOL_EDITOR)


def set_graphiql_headers(page: Page, text: str) -> None:
    """Replace the header editor's text (a JSON object, as a person would paste it)."""
    show_graphiql_headers(page)
    _set(page, TOOL_EDITOR, text)


def set_graphiql_query(page: Page, text: str) -> None:
    """Replace the query editor's text."""
    _set(page, QUERY_EDITOR, text)


def run_graphiql(page: Page, *, timeout_ms: int = TIMEOUT_MS) -> str:
    """Click the run button and return the result pane's text once the answer is in.

    The document must hold one operation (with several, GraphiQL asks which one in a menu).
    The result pane is emptied first, so an answer equal to the previous one is still seen.
    """
    page.evaluate(_SET_VALUE, [RESPONSE_EDITOR, ""])
    page.click(EXECUTE_BUTTON)
    page.wait_for_function(
        "(selector) => { const e = document.querySelector(selector);"
        " return !!e && !!e.CodeMirror && e.CodeMirror.getValue().trim() !== ''; }",
        arg=RESPONSE_EDITOR,
        timeout=timeout_ms,
    )
    return get_editor_value(page, RESPONSE_EDITOR) or ""


def web_storage(page: Page) -> dict[str, dict[str, str]]:
    """Everything the page's origin keeps in localStorage and sessionStorage."""
    stored: dict[str, dict[str, str]] = page.evaluate(
        """() => {
            const dump = (s) => Object.fromEntries(Array.from({length: s.length}, (_, i) => s.key(i))
                .map((k) => [k, s.getItem(k)]));
            return {localStorage: dump(window.localStorage), sessionStorage: dump(window.sessionStorage)};
        }"""
    )
    return stored
