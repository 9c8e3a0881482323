"""One namespace for the notebooks: ``from pipelines import charts`` gives the loaders, the charts
and the export of pipelines.analysis (queries, labels, charts, export), so a notebook cell reads
``charts.load_indicator_trends(con)`` and ``charts.indicator_chart(trends, ...)``.

    python -m pipelines.charts export DIR [--warehouse FILE]   # every chart as DIR/<name>.png/.html
"""

from __future__ import annotations

import sys

from pipelines.analysis.charts import *  # noqa: F403
from pipelines.analysis.charts import _finish  # noqa: F401  (tests draw with the same configuration)
from pipelines.analysis.export import build_all, export, main  # noqa: F401
from pipelines.analysis.labels import *  # noqa: F403
from pipelines.analysis.queries import *  # noqa: F403

if __name__ == "__main__":
    sys.exit(main())
