"""The Dagster code location: what `dagster dev` and `make run` load."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.assets import analyst_views, core_layer, published_warehouse, raw_layer
from pipelines.defs.automation import build_warehouse, daily_build, raw_folder_sensor
from pipelines.defs.resources import default_resource, run_resource

defs = dg.Definitions(
    assets=[raw_layer, core_layer, analyst_views, published_warehouse],
    jobs=[build_warehouse],
    schedules=[daily_build],
    sensors=[raw_folder_sensor],
    # "run": the extraction workers and the folder listing of a run; the CLI passes its own,
    # prepared before Dagster starts (pipelines/__main__.py)
    resources={"warehouse": default_resource(), "run": run_resource},
)
