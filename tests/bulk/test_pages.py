"""The bulk-run pages as a member uses them: upload on an operation, the guessed mapping, the
check naming bad rows, start, the progress partial, pause and resume, the results CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console.bulk.models import BulkRun, RunState
from tests.bulk.conftest import meter_types_csv

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(client, operation, text: str, **extra):
    url = reverse("bulk:new", args=["metering", operation.pk])
    return client.post(url, {"file": SimpleUploadedFile("meters.csv", text.encode()), **extra})


def test_upload_map_check_start_and_download(member, sandbox_op, sandbox_access, work):
    client = member.client()
    operation = sandbox_op("createMeterType")
    page = client.get(reverse("explorer:operation", args=["metering", operation.pk]))
    assert reverse("bulk:new", args=["metering", operation.pk]) in page.content.decode()

    response = _upload(client, operation, meter_types_csv(5) + ",requests,increment,x\n")
    run = BulkRun.objects.get()
    assert response["Location"] == reverse("bulk:run", args=["metering", run.pk])
    client.post(
        reverse("bulk:mapping", args=["metering", run.pk]),
        {
            "access": sandbox_access.pk,
            "concurrency": "2",
            **{f"map:{k}": v for k, v in run.mapping.items()},
        },
    )
    text = client.get(response["Location"]).content.decode()
    assert "<strong>5</strong> rows match the spec; <strong>1</strong> does not." in text
    assert 'data-problem-row="6"' in text
    assert 'data-preview-row="1"' in text
    assert "/metering/v1/meter-types" in text

    refused = client.post(reverse("bulk:start", args=["metering", run.pk]), follow=True)
    assert "1 row(s) do not match the spec" in refused.content.decode()
    client.post(reverse("bulk:start", args=["metering", run.pk]), {"only_valid": "1"})
    run.refresh_from_db()
    assert run.state == RunState.RUNNING
    polling = client.get(reverse("bulk:progress", args=["metering", run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in polling

    work()
    done = client.get(reverse("bulk:progress", args=["metering", run.pk])).content.decode()
    assert "<strong>100%</strong> — 5 sent, 0 failed, 1 skipped, 0 left" in done
    assert "hx-trigger" not in done  # finished: no more polling
    results = client.get(reverse("bulk:results", args=["metering", run.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(results.streaming_content).decode())))
    assert [r["state"] for r in rows] == ["Sent"] * 5 + ["Skipped"]
    assert rows[5]["error"].startswith("name:")


def test_pause_and_resume_from_the_page(member, sandbox_op, sandbox_access, work):
    client = member.client()
    _upload(client, sandbox_op("createMeterType"), meter_types_csv(3))
    run = BulkRun.objects.get()
    client.post(
        reverse("bulk:mapping", args=["metering", run.pk]),
        {"access": sandbox_access.pk, **{f"map:{k}": v for k, v in run.mapping.items()}},
    )
    client.post(reverse("bulk:start", args=["metering", run.pk]))
    client.post(reverse("bulk:pause", args=["metering", run.pk]))
    run.refresh_from_db()
    assert run.state == RunState.PAUSED
    assert "Resume" in client.get(reverse("bulk:run", args=["metering", run.pk])).content.decode()
    client.post(reverse("bulk:resume", args=["metering", run.pk]))
    work()
    run.refresh_from_db()
    assert run.state == RunState.FINISHED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Choose a CSV file or paste one."),
        ("name\n", "The CSV has a header row but no rows."),
        ("a,a\n1,2\n", "Two columns have the same name"),
        ("a\n1,2\n", "Row 1 has 2 cells but the header names 1 columns."),
    ],
)
def test_a_bad_csv_is_said_in_words(member, sandbox_op, text, message):
    url = reverse("bulk:new", args=["metering", sandbox_op("createMeterType").pk])
    response = member.client().post(url, {"text": text})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BulkRun.objects.exists()


def test_a_pasted_csv_works_too(member, sandbox_op):
    url = reverse("bulk:new", args=["metering", sandbox_op("createMeterType").pk])
    assert member.client().post(url, {"text": "name\nx\n"}).status_code == 302
    assert BulkRun.objects.get().source_name == "pasted CSV"
