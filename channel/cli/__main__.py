"""``python -m channel.cli``: how `newsdesk up` starts its workers and scheduler."""

from channel.cli import main

main()
