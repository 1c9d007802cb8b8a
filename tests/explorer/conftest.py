"""Explorer fixtures: the sandbox as an environment, its credentials and its spec, and a
scriptable fake Usage Engine (all defined in `support`, shared with the history tests);
an echo server with its own spec for bodies and checks the sandbox lacks (`echo`); a
wire server and a second, counting server for the outbound tests (`wire`)."""

from tests.explorer.echo import (  # noqa: F401 - fixtures are found by name
    echo,
    echo_access,
    echo_op,
    echo_spec,
)
from tests.explorer.support import (  # noqa: F401 - fixtures are found by name
    fake_access,
    fake_op,
    fake_ue,
    member2,
    sandbox_access,
    sandbox_env,
    sandbox_op,
    sandbox_spec,
    theirs_access,
)
from tests.explorer.wire import (  # noqa: F401 - fixtures are found by name
    elsewhere,
    socket_connects,
    wire,
    wire_access,
    wire_op,
)
