"""Placeholders replaced by a VariableSet, and the values an environment sees."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict

from console.variables.models import Variable
from console.variables.services import (
    UnresolvedVariables,
    VariableError,
    VariableSet,
    resolve_posted,
    resolve_request,
    scrub_secrets,
    variable_delete,
    variable_set,
    variables_for,
)
from console.vault import services as vault
from console.vault.models import Environment

pytestmark = pytest.mark.django_db

SECRET = "s3cret-value-42/x"


def vs(**values: str) -> VariableSet:
    return VariableSet(values=values, environment_name="Sandbox")


def test_text_resolved_with_whitespace_inside_braces():
    assert vs(id="abc").resolve_text("/x/{{id}}/{{ id }}/{{\tid  }}") == "/x/abc/abc/abc"


def test_text_without_placeholders_is_untouched():
    assert vs().resolve_text("{ not } {{ 1bad }} {{$guid}}") == "{ not } {{ 1bad }} {{$guid}}"


def test_unknown_names_every_missing_variable():
    with pytest.raises(UnresolvedVariables) as caught:
        vs(a="1").resolve_text("{{a}} {{b}} {{c.d-e}} {{b}}")
    assert caught.value.names == ["b", "c.d-e"]
    assert str(caught.value) == "No variables named {{b}}, {{c.d-e}} in Sandbox."
    with pytest.raises(UnresolvedVariables, match=r"^No variable named \{\{x\}\} in Sandbox\.$"):
        vs().resolve_text("{{x}}")


def test_values_referring_to_values_and_loops():
    nested = vs(host="h.example", base="https://{{host}}/v1", url="{{base}}/x")
    assert nested.resolve_text("{{url}}") == "https://h.example/v1/x"
    with pytest.raises(UnresolvedVariables, match="more than 5 deep"):
        vs(a="{{b}}", b="{{a}}").resolve_text("{{a}}")


def test_nested_values_and_lists_resolved():
    got = vs(n="3", t="red").resolve_values(
        {"query:limit": "{{n}}", "query:tags": ["{{t}}", "blue"], "other": 5}
    )
    assert got == {"query:limit": "3", "query:tags": ["red", "blue"], "other": 5}
    assert vs(n="1").resolve_any({"a": [{"b": "{{n}}"}]}) == {"a": [{"b": "1"}]}


def test_posted_form_keeps_every_item_and_names_the_field():
    posted = QueryDict(mutable=True)
    posted.setlist("query:tags", ["{{t}}", "{{t}}x"])
    posted["path:id"] = "{{missing}}"
    posted["csrfmiddlewaretoken"] = "{{t}}"
    values, body, errors = resolve_posted(vs(t="a"), posted, '{"n": {{t}}}')
    assert values.getlist("query:tags") == ["a", "ax"]
    assert values["csrfmiddlewaretoken"] == "{{t}}"
    assert body == '{"n": a}'
    assert errors == {"path:id": "No variable named {{missing}} in Sandbox."}


def test_free_request_resolved_in_every_part():
    got = resolve_request(
        vs(p="meter-types", k="X-Key", v="val"),
        "GET",
        "/metering/v1/{{p}}",
        {"q": "{{v}}"},
        [("{{k}}", "{{v}}")],
        "{{v}}",
    )
    assert got == ("GET", "/metering/v1/meter-types", [("q", "val")], [("X-Key", "val")], "val")
    with pytest.raises(UnresolvedVariables) as caught:
        resolve_request(vs(), "GET", "/{{a}}", [("q", "{{b}}")], {}, "{{c}}")
    assert caught.value.names == ["a", "b", "c"]


def test_secret_forms_scrubbed():
    vset = VariableSet(values={"k": SECRET}, secret_names=frozenset({"k"}))
    assert SECRET in vset.secrets
    assert "s3cret-value-42%2Fx" in vset.secrets  # as a path segment
    text = f"/a/s3cret-value-42%2Fx?q={SECRET}"
    assert scrub_secrets(text, vset.secrets) == "/a/[redacted]?q=[redacted]"
    assert vset.display(SECRET) == "[secret]"
    assert SECRET not in repr(vset)


@pytest.fixture
def envs(admin):
    make = lambda name: vault.environment_save(  # noqa: E731
        scope=admin.scope, environment=Environment(name=name, base_url="https://ue.example/")
    )
    return make("Test"), make("Prod")


def test_environment_value_beats_team_wide(member, admin, envs):
    test, prod = envs
    variable_set(scope=member.scope, name="account", value="team-wide")
    variable_set(scope=member.scope, name="account", value="in-test", environment=test)
    variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    assert variables_for(member.scope, test).resolve_text("{{account}}") == "in-test"
    assert variables_for(member.scope, prod).resolve_text("{{account}}") == "team-wide"
    assert variables_for(member.scope, None).resolve_text("{{account}}") == "team-wide"
    in_test = variables_for(member.scope, test)
    assert in_test.names() == ["account", "key"]
    assert in_test.resolve_text("{{key}}") == SECRET
    assert in_test.secret_names == {"key"}


def test_secret_stored_encrypted(admin):
    variable = variable_set(scope=admin.scope, name="key", value=SECRET, secret=True)
    row = Variable.objects.get(pk=variable.pk)
    assert row.value == ""
    assert SECRET not in row.secret_value
    assert row.is_secret


def test_set_updates_in_place_and_checks_names(member):
    first = variable_set(scope=member.scope, name="{{ id }}", value="1")
    again = variable_set(scope=member.scope, name="id", value="2")
    assert first.pk == again.pk
    assert Variable.objects.get(pk=first.pk).value == "2"
    for bad in ("", "1abc", "a b", "a{b}", "x" * 101):
        with pytest.raises(VariableError):
            variable_set(scope=member.scope, name=bad, value="1")
    with pytest.raises(VariableError, match="at least 8"):
        variable_set(scope=member.scope, name="k2", value="short", secret=True)


def test_roles(viewer, member, admin, outsider, envs):
    with pytest.raises(PermissionDenied):
        variable_set(scope=viewer.scope, name="a", value="1")
    with pytest.raises(PermissionDenied):
        variable_set(scope=member.scope, name="k", value=SECRET, secret=True)
    secret = variable_set(scope=admin.scope, name="k", value=SECRET, secret=True)
    with pytest.raises(PermissionDenied):  # a member cannot overwrite a secret with plain text
        variable_set(scope=member.scope, name="k", value="plain")
    with pytest.raises(PermissionDenied):
        variable_delete(scope=member.scope, variable=secret)
    with pytest.raises(Http404):
        variable_delete(scope=outsider.scope, variable=secret)
    with pytest.raises(Http404):
        variable_set(scope=outsider.scope, name="a", value="1", environment=envs[0])
    with pytest.raises(Http404):
        variables_for(outsider.scope, envs[0])
    variable_delete(scope=admin.scope, variable=secret)
    assert not Variable.objects.exists()


def test_other_team_variables_unseen(member, outsider):
    variable_set(scope=outsider.scope, name="theirs", value="1")
    assert variables_for(member.scope, None).names() == []


def test_nested_values_expand_once_each_and_within_a_cap():
    """The review's case: 4 values of 60 placeholders each would give 129,600,000
    characters; each name is resolved once per text and the output is capped."""
    import time

    from console.variables.services import MAX_EXPANSION

    values = {"a": "x" * 10, "b": "{{a}}" * 60, "c": "{{b}}" * 60}
    values |= {"d": "{{c}}" * 60, "e": "{{d}}" * 60}
    nested = vs(**values)
    assert nested.resolve_text("{{c}}") == "x" * 36_000
    started = time.perf_counter()
    with pytest.raises(UnresolvedVariables) as raised:
        nested.resolve_text("[{{e}}]")
    assert time.perf_counter() - started < 1
    assert raised.value.message.startswith(
        f"Variables expand to more than {MAX_EXPANSION:,} characters"
    )
    # In a form it is the field's message, and nothing else breaks.
    _values, _body, errors = resolve_posted(nested, QueryDict("query:q={{e}}"), "{{c}}")
    assert errors["query:q"].startswith("Variables expand to more than")
    assert "body" not in errors
