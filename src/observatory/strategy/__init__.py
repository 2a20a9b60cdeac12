"""Strategy metrics: targets, trajectories and red/amber/green (issue "Strategy metrics").

- `definitions`: the metrics file a workspace names (`[metrics] file = "metrics.toml"`): the
  configurable priorities and life stages, coverage forecast targets, and each metric (priority,
  life stage, owner, unit, direction, baseline, target, tolerance, source), checked on reading.
- `sources`: a metric's values from the store (an indicator for an area, every release), the
  records database (programme sites lit and premises in reach, Shared Care Record providers live,
  board actions done) or values people enter (`models.EnteredValue`, audited); a source that gives
  none says why ("no data"), never an error.
- `trajectory`: the status from where the series is heading (logistic for percentages, linear for
  counts), with the rule in words; `status`: each metric evaluated for the CLI, pages, API, report.
- `forecast`: when coverage reaches its targets for the region and each district, with a seeded
  residual-bootstrap band.
- `board`: a workspace's metrics with the store and records they read; `commands`: the CLI;
  `values_csv`: CSV import and export of entered values; `report_section`: the report's section.
"""
