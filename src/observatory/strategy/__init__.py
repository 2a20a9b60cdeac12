"""Strategy metrics: targets, trajectories and red/amber/green (issue "Strategy metrics").

Built so far: `trajectory`, the status rules from where a series is heading. Definitions from the
workspace configuration, metric sources, pages and the CLI build on it.
"""
