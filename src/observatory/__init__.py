"""Digital Observatory: see, steer and report on a city region's digital strategy."""

import os

__version__ = "0.1.0"

# numpy and scipy each load an OpenBLAS whose threads spin for a fifth of a second of CPU after it
# loads, whether or not anything multiplies matrices (measured: `import numpy, scipy.sparse` then
# a 1 s sleep costs 0.52 s of CPU, 0.28 s with one thread). The observatory's numbers are worked
# element by element (numpy, Arrow, GEOS, DuckDB); its few matrix products (the exclusion-risk
# index's weightings) are small. So one BLAS thread, unless whoever runs it says otherwise; this
# takes effect when the observatory is imported before numpy, as its commands and workers are.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
