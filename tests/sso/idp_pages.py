"""Driving the test provider's pages without a browser: its forms parsed from the HTML,
posted with `requests`, its own redirects followed until one leaves the provider."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

from tests.sso.oidc_provider import RunningProvider

TIMEOUT_S = 10


# --- HTML forms -------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    inputs: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """The forms (action, method, named inputs, button texts), labels and h1 of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.labels: dict[str, str] = {}  # for= -> text
        self.h1 = ""
        self._text_of: str | None = None  # "button", "label", "h1" while inside one
        self._text = ""
        self._label_for = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            method = attributes.get("method", "get").lower()
            self.forms.append(Form(action=attributes.get("action", ""), method=method))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1].inputs[attributes["name"]] = attributes.get("value", "")
        elif tag in {"button", "label", "h1"}:
            self._text_of, self._text = tag, ""
            self._label_for = attributes.get("for", "")

    def handle_data(self, data: str) -> None:
        if self._text_of:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag != self._text_of:
            return
        text = " ".join(self._text.split())
        if tag == "button" and self.forms:
            self.forms[-1].buttons.append(text)
        elif tag == "label":
            self.labels[self._label_for] = text
        elif tag == "h1":
            self.h1 = text
        self._text_of = None


def parse_page(response: requests.Response) -> PageParser:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/html")
    parser = PageParser()
    parser.feed(response.text)
    return parser


def form_with_button(page: PageParser, text: str) -> Form:
    forms = [form for form in page.forms if text in form.buttons]
    assert len(forms) == 1, f"one form with a {text!r} button expected, found {page.forms}"
    return forms[0]


def follow(session: requests.Session, response: requests.Response, issuer: str):
    """Follow the provider's own redirects; stop at a page or at a redirect off the provider."""
    for _ in range(10):
        if response.status_code not in {302, 303}:
            return response
        location = urljoin(response.url, response.headers["Location"])
        assert urlsplit(location).hostname in {"127.0.0.1", "testserver"}, location
        if not location.startswith(f"{issuer}/"):
            return response
        response = session.get(location, allow_redirects=False, timeout=TIMEOUT_S)
    raise AssertionError("too many redirects")


def submit(
    session: requests.Session,
    provider: RunningProvider,
    page_response: requests.Response,
    button: str,
    **values: str,
) -> requests.Response:
    form = form_with_button(parse_page(page_response), button)
    assert form.method == "post"
    action = urljoin(page_response.url, form.action)
    assert action.startswith(f"{provider.issuer}/"), action
    response = session.post(
        action, data={**form.inputs, **values}, allow_redirects=False, timeout=TIMEOUT_S
    )
    return follow(session, response, provider.issuer)
