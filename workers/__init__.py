"""RQ jobs, queue wiring and the periodic refresh scheduler."""
