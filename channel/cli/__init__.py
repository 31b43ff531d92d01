"""The ``newsdesk`` command, one module per topic (as rq's cli/): run the system (run, with the
supervisor behind `newsdesk up`), sources, jobs and refreshes, stories and editorial actions,
status and audit (report), and the offline tools.

The operator commands call the same library functions as the operator API, so a change made
here and one made over HTTP are the same change, audit log included (the CLI is audited as
``cli:$USER``). Without ``--json`` they print tables and lines for people; with it, one JSON
document on stdout for scripts.
"""

from channel.cli.main import main

__all__ = ["main"]
