"""A pasted ``curl`` command read into method, URL, headers and body (no Django).

Reads the options people paste from browsers' "Copy as cURL", API docs and Postman's
code snippets: ``-X``/``--request``, ``-H``/``--header``, ``-d``/``--data``/
``--data-raw``/``--data-binary``/``--data-ascii``/``--data-urlencode``, ``--json``,
``-G``/``--get``, ``--url``, ``-u``/``--user`` (dropped: the console sends its managed
token), ``-b``/``--cookie`` (dropped), line continuations (``\\`` and PowerShell's
backtick, Windows' ``^``) and quoted JSON. Options that change only how curl behaves
(``-s``, ``-L``, ``--compressed``, ``-k`` …) are ignored.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from urllib.parse import quote

from console.postman.collection import PostmanError, unstorable

MAX_COMMAND = 200_000
_CONTINUATION = re.compile(r"[\\`^][ \t]*\r?\n")
# Options that take a value the console has no use for.
_IGNORED_WITH_VALUE = {
    "-o", "--output", "-A", "--user-agent", "-e", "--referer", "-m", "--max-time",
    "--connect-timeout", "-w", "--write-out", "--retry", "-x", "--proxy", "--cacert",
    "--cert", "-E", "--key", "--resolve", "--limit-rate", "-c", "--cookie-jar",
    "--max-redirs", "-r", "--range", "--retry-delay", "--retry-max-time",
}  # fmt: skip
_DATA = {"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode"}


@dataclass
class CurlRequest:
    """What a curl command sends; `notes` say what was left out and why."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        """The Content-Type header's media type, "" when there is none."""
        for name, value in self.headers:
            if name.lower() == "content-type":
                return value.split(";", 1)[0].strip()
        return ""


_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "e": "\x1b"}


def _code_point(code: str, hexa: str) -> str:
    """The character of a ``\\xHH``/``\\uHHHH``/``\\UHHHHHHHH`` escape; a PostmanError for one
    that names no character the console can store (beyond U+10FFFF, a lone UTF-16
    surrogate, or NUL, where bash itself would cut the string short)."""
    value = int(hexa, 16)
    escape = f"\\{code}{hexa}"
    if value > 0x10FFFF:
        raise PostmanError(
            f"The curl command's escape {escape} is beyond the last Unicode character (U+10FFFF)."
        )
    if 0xD800 <= value <= 0xDFFF:
        raise PostmanError(
            f"The curl command's escape {escape} is half of a UTF-16 surrogate pair, not a "
            "character: write the character itself (or its \\U escape)."
        )
    if value == 0:
        raise PostmanError(
            f"The curl command's escape {escape} is a NUL character, which a request cannot hold."
        )
    return chr(value)


def _ansi_c(text: str) -> str:
    """Bash's ``$'…'`` strings (Chrome's "Copy as cURL (bash)" writes bodies so) turned into
    plain quoted words, their escapes decoded: shlex knows only ``'…'`` and ``"…"``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        start = text.find("$'", i)
        if start < 0 or (start > 0 and not text[start - 1].isspace()):
            if start < 0:
                out.append(text[i:])
                break
            out.append(text[i : start + 2])
            i = start + 2
            continue
        out.append(text[i:start])
        j, chars = start + 2, []
        while j < len(text) and text[j] != "'":
            if text[j] == "\\" and j + 1 < len(text):
                code = text[j + 1]
                if code in _ANSI_ESCAPES:
                    chars.append(_ANSI_ESCAPES[code])
                    j += 2
                    continue
                digits = {"x": 2, "u": 4, "U": 8}.get(code)
                hexa = text[j + 2 : j + 2 + digits] if digits else ""
                if (
                    digits
                    and len(hexa) == digits
                    and all(c in "0123456789abcdefABCDEF" for c in hexa)
                ):
                    chars.append(_code_point(code, hexa))
                    j += 2 + digits
                    continue
            chars.append(text[j])
            j += 1
        out.append(shlex.quote("".join(chars)))
        i = j + 1
    return "".join(out)


def _split(text: str) -> list[str]:
    text = _ansi_c(_CONTINUATION.sub(" ", text.strip()))
    try:
        return shlex.split(text, posix=True)
    except ValueError as exc:  # "No closing quotation"
        raise PostmanError(
            f"The curl command cannot be read: {exc} (a quote is not closed)."
        ) from exc


def _expand_short(words: list[str]) -> list[str]:
    """``-XPOST`` → ``-X POST``, ``-sSL`` → ``-s -S -L`` (curl's short option forms)."""
    out: list[str] = []
    with_value = {"-X", "-H", "-d", "-u", "-b", "-o", "-A", "-e", "-m", "-w", "-x", "-E", "-r"}
    for word in words:
        if len(word) > 2 and word[0] == "-" and word[1] != "-":
            if word[:2] in with_value:
                out.extend([word[:2], word[2:]])
                continue
            letters = word[1:]
            if letters.isalpha():
                out.extend("-" + letter for letter in letters)
                continue
        out.append(word)
    return out


def parse_curl(text: str) -> CurlRequest:
    """The request a pasted curl command sends; a PostmanError with a message otherwise."""
    if len(text) > MAX_COMMAND:
        raise PostmanError("The curl command is too long.")
    problem = unstorable(text)
    if problem:
        raise PostmanError(f"The curl command holds {problem}, which a request cannot hold.")
    words = _expand_short(_split(text))
    if not words or words[0].rsplit("/", 1)[-1] not in ("curl", "curl.exe"):
        raise PostmanError("Paste a command that starts with “curl”.")
    method = ""
    url = ""
    get = False
    headers: list[tuple[str, str]] = []
    data: list[str] = []
    notes: list[str] = []
    json_body = False
    i = 1

    def value() -> str:
        nonlocal i
        if i + 1 >= len(words):
            raise PostmanError(f"The option {words[i]} has no value.")
        i += 1
        return words[i]

    while i < len(words):
        word = words[i]
        if word in ("-X", "--request"):
            method = value().upper()
        elif word in ("-H", "--header"):
            name, sep, header_value = value().partition(":")
            if sep and name.strip():
                headers.append((name.strip(), header_value.strip()))
        elif word in _DATA:
            item = value()
            if item.startswith("@"):
                raise PostmanError(
                    f"The body is read from a file ({item}); paste the body itself instead."
                )
            if word == "--data-urlencode":
                name, sep, raw = item.partition("=")
                item = f"{name}={quote(raw, safe='')}" if sep else quote(item, safe="")
            data.append(item)
        elif word == "--json":
            item = value()
            if item.startswith("@"):
                raise PostmanError(
                    f"The body is read from a file ({item}); paste the body itself instead."
                )
            data.append(item)
            json_body = True
        elif word in ("-G", "--get"):
            get = True
        elif word == "--url":
            url = value()
        elif word in ("-u", "--user"):
            value()
            notes.append(
                "The user name and password (-u) were dropped: the console sends the "
                "Application Access's managed token."
            )
        elif word in ("-b", "--cookie"):
            value()
            notes.append("Cookies (-b) were dropped.")
        elif word in ("-F", "--form"):
            raise PostmanError(
                "Multipart form bodies (-F) cannot be imported from curl; use the operation's "
                "form instead."
            )
        elif word == "-I" or word == "--head":
            method = method or "HEAD"
        elif word in _IGNORED_WITH_VALUE:
            value()
        elif word.startswith("-"):
            pass  # a flag such as -s, -L, -k, --compressed, -v, -i
        elif not url:
            url = word
        i += 1
    if not url:
        raise PostmanError("The curl command has no URL.")
    body = "&".join(data)
    if get and data:
        url += ("&" if "?" in url else "?") + body
        body = ""
    if json_body:
        names = {n.lower() for n, _ in headers}
        if "content-type" not in names:
            headers.append(("Content-Type", "application/json"))
        if "accept" not in names:
            headers.append(("Accept", "application/json"))
    elif body and "content-type" not in {n.lower() for n, _ in headers}:
        # What curl itself sends with -d.
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    if not method:
        method = "GET" if get or not body else "POST"
    kept = []
    for name, header_value in headers:
        if name.lower() in ("authorization", "proxy-authorization", "cookie"):
            notes.append(
                f"The {name} header was dropped: the console sends the Application Access's "
                "managed token."
                if name.lower() != "cookie"
                else "The Cookie header was dropped."
            )
            continue
        kept.append((name, header_value))
    if not re.fullmatch(r"[A-Z]{1,10}", method):
        raise PostmanError(f"“{method[:20]}” is not an HTTP method.")
    return CurlRequest(method=method, url=url, headers=kept, body=body, notes=notes)
