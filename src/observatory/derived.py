"""The figures the build derives from the records database (pipeline.derived), each computed by the
capability that owns it. The application object hands them to the pipeline; `observatory build`
asks them, with the workspace's files, whether the store is current before it loads anything more
(a current store is answered in well under a second)."""

from __future__ import annotations

from .programme import reach_figures

DERIVED = (reach_figures.STEP,)
