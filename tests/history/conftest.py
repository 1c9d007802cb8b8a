"""History fixtures: the sandbox as an environment, its credentials and its spec, and a
scriptable fake Usage Engine (all defined in `support`, shared with the history tests)."""

from tests.explorer.support import (  # noqa: F401 - fixtures are found by name
    fake_access,
    fake_op,
    fake_ue,
    member2,
    sandbox_access,
    sandbox_env,
    sandbox_op,
    sandbox_spec,
)
