"""Sandbox configuration: clients from a JSON file and from --client flags, and option checks."""

from __future__ import annotations

import argparse
import json

import pytest

from console.sandbox.cli import add_arguments, config_from_options
from console.sandbox.config import (
    ALL_SCOPES,
    DEFAULT_CLIENTS,
    ConfigError,
    SandboxClient,
    SandboxConfig,
    load_clients_file,
    parse_client_option,
)


def parse(*argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return config_from_options(vars(parser.parse_args(argv)))


def test_all_scopes_are_verb_colon_resource():
    assert len(ALL_SCOPES) == len(set(ALL_SCOPES)) == 9
    for scope in ALL_SCOPES:
        verb, resource = scope.split(":")
        assert verb in {"read", "create", "update", "delete", "run"}
        assert resource in {"meter_types", "meters", "streams"}


def test_a_client_flag_without_scopes_gets_all():
    client = parse_client_option("team-app:s3cret")

    assert client == SandboxClient("team-app", "s3cret", ALL_SCOPES)


def test_a_client_flag_with_scopes_keeps_them_in_canonical_order():
    client = parse_client_option("ro:pw:read:streams,read:meter_types")

    assert client.scopes == ("read:meter_types", "read:streams")


@pytest.mark.parametrize("value", ["no-secret", ":secret", "id:", "id:pw:read:nothing"])
def test_bad_client_flags_are_refused(value):
    with pytest.raises(ConfigError):
        parse_client_option(value)


def test_the_secret_never_shows_in_a_repr():
    assert "s3cret" not in repr(SandboxClient("team-app", "s3cret"))
    assert "s3cret" not in repr(SandboxConfig(clients=(SandboxClient("team-app", "s3cret"),)))


def test_a_clients_file_is_read(tmp_path):
    path = tmp_path / "clients.json"
    path.write_text(
        json.dumps(
            {
                "clients": [
                    {"client_id": "a", "client_secret": "sa", "scopes": ["read:meters"]},
                    {"client_id": "b", "client_secret": "sb"},
                ]
            }
        )
    )

    clients = load_clients_file(path)

    assert clients == (
        SandboxClient("a", "sa", ("read:meters",)),
        SandboxClient("b", "sb", ALL_SCOPES),
    )


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"clients": {}}',
        '{"clients": [{"client_id": "a"}]}',
        '{"clients": [{"client_id": "a", "client_secret": "s", "scopes": "read:meters"}]}',
        '{"clients": [{"client_id": "a", "client_secret": "s", "scopes": ["fly:kites"]}]}',
        '{"clients": [{"client_id": "a", "client_secret": "s", "secret": "typo"}]}',
    ],
)
def test_bad_clients_files_are_refused(tmp_path, content):
    path = tmp_path / "clients.json"
    path.write_text(content)

    with pytest.raises(ConfigError):
        load_clients_file(path)


def test_a_missing_clients_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_clients_file(tmp_path / "absent.json")


def test_duplicate_client_ids_are_refused():
    with pytest.raises(ConfigError, match="duplicate"):
        SandboxConfig(clients=(SandboxClient("a", "x"), SandboxClient("a", "y")))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"token_ttl": 0},
        {"rate_per_second": 0},
        {"burst": 0},
        {"account_id": "not-a-uuid"},
        {"audience": " "},
    ],
)
def test_bad_options_are_refused(kwargs):
    with pytest.raises(ConfigError):
        SandboxConfig(**kwargs)


def test_the_cli_defaults_match_the_real_service():
    config = parse()

    assert config.clients == DEFAULT_CLIENTS
    assert config.token_ttl == 3600
    assert config.rate_per_second == 10
    assert config.burst == 5
    assert config.audience is None


def test_cli_flags_build_the_config(tmp_path):
    path = tmp_path / "clients.json"
    path.write_text('{"clients": [{"client_id": "file-app", "client_secret": "f"}]}')

    config = parse(
        "--clients-file",
        str(path),
        "--client",
        "flag-app:g:read:streams",
        "--token-ttl",
        "60",
        "--rate",
        "2.5",
        "--burst",
        "3",
        "--audience",
        "https://api.digitalroute.io/",
        "--run-seconds",
        "1",
    )

    assert [c.client_id for c in config.clients] == ["file-app", "flag-app"]
    assert config.client("flag-app").scopes == ("read:streams",)
    assert config.token_ttl == 60
    assert config.rate_per_second == 2.5
    assert config.burst == 3
    assert config.audience == "https://api.digitalroute.io/"
    assert config.run_seconds == 1


def test_an_empty_clients_file_is_an_error_not_the_demo_clients(tmp_path):
    path = tmp_path / "clients.json"
    path.write_text('{"clients": []}')

    with pytest.raises(ConfigError, match="no clients"):
        parse("--clients-file", str(path))
