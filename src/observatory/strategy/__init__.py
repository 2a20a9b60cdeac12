"""Strategy metrics: targets, trajectories and red/amber/green (issue "Strategy metrics").

- the metric definitions themselves are read with the workspace (`workspace/metrics.py`, from the
  file `[metrics] file = "metrics.toml"` names), as every setting is.
- `sources`: a metric's values from the store (an indicator for an area, every release), the
  records database (programme sites lit and premises in reach, Shared Care Record providers live,
  board actions done) or values people enter (`models.EnteredValue`, audited); a source that gives
  none says why ("no data"), never an error.
- `trajectory`: the status from where the series is heading (logistic for percentages, linear for
  counts), with the rule in words; `status`: each metric evaluated for the CLI, pages, API, report.
- `forecast`: when coverage reaches its targets for the region and each district, with a seeded
  residual-bootstrap band.
- `board`: a workspace's metrics with the store and records they read; `values_csv`: CSV import
  and export of entered values. The command line, pages and report section are views elsewhere
  (cli/metrics.py, web/metrics.py, report/sections/metrics.py).
"""
