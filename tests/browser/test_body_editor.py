# ruff: noqa: F811 - the echo fixtures are imported here by name (tests/browser has its own conftest)
"""The JSON body editor (CodeMirror 6, static/vendor/codemirror/editor.js) in a real browser.

On "Create a meter type" of the sandbox spec: the editor replaces the body textarea,
completes property names and enum values from the request schema at the cursor's JSON
path, marks invalid JSON at its line without blocking Send, and the posted body is the
editor's text. Without JavaScript the textarea is the editor. The `page` fixture fails
any test whose page reports a CSP violation (CodeMirror's styles must not need one).
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from console.vault.models import ApplicationAccess
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, VIEWPORT, expect, sign_in
from tests.conftest import Person
from tests.explorer.echo import (  # noqa: F401 - fixtures are found by name
    EchoServer,
    echo,
    echo_access,
    echo_op,
    echo_spec,
)

pytestmark = pytest.mark.browser


def _open_create_meter_type(page: Any) -> None:
    page.get_by_role("navigation", name="Operations").get_by_role(
        "link", name=re.compile("Create a meter type")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Create a meter type"))


def _clear(page: Any, content: Any) -> None:
    """Select all in the editor and delete it, with the keyboard."""
    content.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")


def _set_text(page: Any, text: str) -> None:
    """Set the body as another script would: the textarea's value, then an input event
    (the editor follows). Playwright's insert_text would turn runs of spaces into
    no-break spaces in a contenteditable."""
    page.locator("textarea#body").evaluate(
        "(t, v) => { t.value = v; t.dispatchEvent(new Event('input', {bubbles: true})); }", text
    )


def _editor_text(page: Any) -> str:
    return page.locator("textarea#body").evaluate("t => t.bodyEditor.state.doc.toString()")


# CodeMirror ignores an accept key for `interactionDelay` (75 ms) after the list changes,
# so a fast Enter right after typing inserts a newline instead: a person never types that
# fast, a test does. Wait past it; this is no timing assertion.
ACCEPT_AFTER_MS = 150


def _accept(page: Any) -> None:
    """Accept the selected completion as a person would: after the list has settled."""
    page.wait_for_timeout(ACCEPT_AFTER_MS)
    page.keyboard.press("Enter")


def test_editor_completes_from_the_schema_marks_errors_and_sends_its_text(
    page: Any, member: Person, sandbox_access: ApplicationAccess
) -> None:
    sign_in(page, "mia", "pw-mia")
    _open_create_meter_type(page)

    editor = page.locator("#body-input .cm-editor")
    expect(editor).to_be_visible()
    expect(page.locator("textarea#body")).to_be_hidden()  # still in the form, posted
    content = editor.locator(".cm-content")
    expect(content).to_have_attribute("aria-labelledby", "body-label")
    assert editor.locator(".cm-lineNumbers .cm-gutterElement").count() > 1
    assert "tok-propertyName" in editor.inner_html()  # highlighted by syntax

    # A property name: typing a quote inside the object offers the schema's names.
    textarea = page.locator("textarea#body")
    _clear(page, content)
    page.keyboard.type("{")
    page.keyboard.type('"')
    completions = page.locator(".cm-tooltip-autocomplete")
    expect(completions).to_be_visible()
    expect(completions.get_by_role("option", name=re.compile("^name"))).to_be_visible()
    page.keyboard.type("aggr")
    expect(completions.get_by_role("option")).to_have_count(1)
    _accept(page)
    expect(textarea).to_have_value('{"aggregation": {}}')
    # ... then the nested object's own properties (the cursor's JSON path) ...
    page.keyboard.type('"')
    expect(completions.get_by_role("option", name=re.compile("^type"))).to_be_visible()
    expect(completions.get_by_role("option", name=re.compile("^name"))).to_have_count(0)
    _accept(page)
    # ... then the enum values of aggregation.type.
    expect(completions.get_by_role("option", name=re.compile("^increment"))).to_be_visible()
    page.keyboard.type("su")
    _accept(page)
    expect(completions).to_be_hidden()
    expect(textarea).to_have_value('{"aggregation": {"type": "sum"}}')

    # Invalid JSON: a lint mark on the line of the error (line 4), not a blocker.
    _set_text(page, '{\n  "name": "x",\n  "unit": \n}')
    lines = editor.locator(".cm-line")
    expect(lines.nth(3).locator(".cm-lintRange-error, .cm-lintPoint-error")).to_have_count(1)
    expect(editor.locator(".cm-lint-marker-error")).to_have_count(1)
    assert lines.nth(0).locator(".cm-lintRange-error, .cm-lintPoint-error").count() == 0

    # Send posts exactly the editor's text (through htmx), typed parts included.
    name = f"Editor {uuid.uuid4().hex[:6]}"
    _set_text(
        page,
        '{\n  "name": "' + name + '",\n  "unit": "requests",\n  "aggregation": {"type": "sum"}\n}',
    )
    content.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type(', "category": "typed')
    page.keyboard.press("Escape")  # close the completion list
    expect(editor.locator(".cm-lint-marker-error")).to_have_count(0)
    body = _editor_text(page)
    assert body.endswith('"category": "typed"}')
    with page.expect_request(lambda r: r.method == "POST" and "/send" in r.url) as sent:
        page.get_by_role("button", name="Send", exact=True).click()
    assert parse_qs(sent.value.post_data)["body"] == [body]
    panel = page.locator("#response-slot")
    expect(panel.locator(".response-status .status")).to_have_text("201")
    expect(panel).to_contain_text(name)

    # CodeMirror's one <style> element is allowed by the page's nonce (no CSP violation:
    # the `page` fixture fails the test on any), and its styles apply.
    assert page.locator("style[nonce]").count() == 1
    assert editor.evaluate("e => getComputedStyle(e.querySelector('.cm-content')).whiteSpace") in (
        "pre",
        "pre-wrap",
        "break-spaces",
    )


def test_format_json_formats_the_editor(
    page: Any, member: Person, sandbox_access: ApplicationAccess
) -> None:
    sign_in(page, "mia", "pw-mia")
    _open_create_meter_type(page)
    _set_text(page, '{"unit":"requests","size":12345678901234567890}')
    page.get_by_role("button", name="Format JSON").click()
    expect(page.locator("textarea#body")).to_have_value(
        '{\n  "unit": "requests",\n  "size": 12345678901234567890\n}'
    )
    expect(page.locator("#body-input .cm-line")).to_have_count(4)

    # An unquoted {{variable}} in a value's place is not marked (it becomes a number).
    markers = page.locator("#body-input .cm-lint-marker-error")
    _set_text(page, '{"unit": {{unit}, "size": 3}')
    expect(markers).to_have_count(1)
    _set_text(page, '{"unit": "{{unit}}", "size": {{ size }}, "tags": [{{tag}}]}')
    expect(markers).to_have_count(0)
    page.get_by_role("button", name="Format JSON").click()
    expect(page.locator("textarea#body")).to_have_value(
        '{\n  "unit": "{{unit}}",\n  "size": {{ size }},\n  "tags": [\n    {{tag}}\n  ]\n}'
    )


@pytest.mark.usefixtures("_browser_turn", "transactional_db")
def test_without_javascript_the_textarea_is_the_editor(
    browser: Any,
    live_server: Any,
    member: Person,
    sandbox_access: ApplicationAccess,
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, java_script_enabled=False
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, "mia", "pw-mia")
        _open_create_meter_type(page)
        assert page.locator(".cm-editor").count() == 0
        name = f"No JS {uuid.uuid4().hex[:6]}"
        textarea = page.get_by_label("JSON")
        textarea.fill(
            '{"name": "' + name + '", "unit": "requests", "aggregation": {"type": "max"}}'
        )
        page.get_by_role("button", name="Send", exact=True).click()
        panel = page.locator("#response-slot")
        expect(panel.locator(".response-status .status")).to_have_text("201")
        expect(panel).to_contain_text(name)
    finally:
        context.close()


def test_a_swapped_in_variant_gets_an_editor_with_its_schema_and_themes_follow(
    page: Any, member: Person, echo: EchoServer, echo_access: Any, echo_op: Any
) -> None:
    op = echo_op("createShape")
    sign_in(page, "mia", "pw-mia")
    page.goto(reverse("explorer:operation", args=[op.team.slug, op.pk]))
    page.get_by_label("One of").select_option(label="Square")
    expect(page.locator("#body-input .cm-editor")).to_have_count(1)
    expect(page.locator("#body-input .cm-content")).to_contain_text('"side": 4')

    _set_text(page, "{}")
    page.locator("#body-input .cm-content").click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type('"')
    options = page.locator(".cm-tooltip-autocomplete").get_by_role("option")
    expect(options).to_have_count(2)  # kind and side: the Square's, not the Circle's radius
    expect(options.first).to_contain_text("kind")
    expect(options.nth(1)).to_contain_text("side")
    page.keyboard.press("Escape")

    # Ctrl+Enter in the editor sends (the console's shortcut, left to console.js).
    _set_text(page, '{"kind": "square", "side": 7}')
    page.locator("#body-input .cm-content").click()
    page.keyboard.press("ControlOrMeta+Enter")
    expect(page.locator("#response-slot .response-status .status")).to_have_text("200")
    assert echo.api()[-1].json() == {"kind": "square", "side": 7}
    assert _editor_text(page) == '{"kind": "square", "side": 7}'  # no line was added

    editor = page.locator("#body-input .cm-editor")
    background = "e => getComputedStyle(e).backgroundColor"
    assert editor.evaluate(background) == "rgb(246, 248, 250)"  # --c-sunken, light
    page.emulate_media(color_scheme="dark")
    # --c-sunken, dark (polled: colours may be in a transition for a moment)
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#body-input .cm-editor'))"
        ".backgroundColor === 'rgb(13, 17, 23)'"
    )
    page.wait_for_function(  # --tone-violet-fg, dark
        "() => getComputedStyle(document.querySelector('#body-input .tok-propertyName')).color"
        " === 'rgb(210, 168, 255)'"
    )
