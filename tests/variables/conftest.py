"""Variables fixtures: the sandbox and echo servers of the explorer tests, and helpers."""

from tests.explorer.echo import (  # noqa: F401 - fixtures are found by name
    echo,
    echo_access,
    echo_op,
    echo_spec,
)
from tests.explorer.support import (  # noqa: F401 - fixtures are found by name
    sandbox_access,
    sandbox_env,
    sandbox_op,
    sandbox_spec,
    theirs_access,
)
