"""The status with its meaning in words, and Retry-After when the API asks to wait."""

from __future__ import annotations

from django.urls import reverse

from console.explorer.statuses import status_info
from tests.explorer.support import Reply, html, records, send


def test_a_404_says_what_it_means(member, fake_access, fake_op, fake_ue, team):
    fake_ue.api_script.append(Reply(404, {"error": "no such thing"}))

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    assert "404 Not Found — the resource does not exist" in page
    (record,) = records()
    detail = html(member.client().get(reverse("history:detail", args=[team.slug, record.pk])))
    assert "404 Not Found — the resource does not exist" in detail


def test_a_429_shows_its_retry_after(member, fake_access, fake_op, fake_ue):
    fake_ue.api_script.append(Reply(429, {"error": "slow down"}, {"Retry-After": "30"}))

    page = html(send(member.client(), fake_op, fake_access, htmx=True))

    assert "429 Too Many Requests — too many requests: slow down" in page
    assert 'Retry-After: <span class="mono">30</span>' in page
    assert "try again in 30 s" in page


def test_a_200_and_an_unknown_code():
    assert status_info(200).text == "200 OK — the request succeeded"
    assert status_info(201).text == "201 Created — the resource was created"
    odd = status_info(599, "Custom Reason")
    assert odd.text == "599 Custom Reason — the API failed on its side"
    assert status_info(None) is None


def test_retry_after_as_a_date():
    info = status_info(503, "", [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")])
    assert info.retry_after == "Wed, 21 Oct 2015 07:28:00 GMT"
    assert info.retry_in == "0 s"  # long past
    assert status_info(429, "", [("retry-after", "nonsense")]).retry_in == ""
