"""Collection fixtures: the session sandbox as the team's environment, its credentials
and its spec (from the explorer's set-up)."""

from tests.explorer.support import (  # noqa: F401 - fixtures are found by name
    member2,
    sandbox_access,
    sandbox_env,
    sandbox_op,
    sandbox_spec,
    theirs_access,
)
