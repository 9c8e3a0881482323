"""When the warehouse is rebuilt: a daily schedule, and a sensor on the raw folder."""


import hashlib
import os

import dagster as dg

from pipelines.config import Paths
from pipelines.extract.ingest import display_name, scan_raw_files

# One process per run: the steps form a chain (nothing to run side by side) and extraction
# has its own worker pool; Dagster's default executor would start a process per step
# (~1 s of imports each) on every run the UI, the sensor or the schedule launches.
build_warehouse = dg.define_asset_job(
    "build_warehouse", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor,
    description="Raw folder -> published DuckDB warehouse (incremental: only new or changed files are read).",
)

daily_build = dg.ScheduleDefinition(
    name="daily_build", job=build_warehouse, cron_schedule="0 6 * * *", execution_timezone="Asia/Shanghai",
    description="Rebuild every morning at 06:00 Beijing time.",
)


def folder_fingerprint(raw_dir: str | os.PathLike) -> str:
    """A digest of the raw folder's listing (path, size, modification time).

    Cheap: no file is read. A change triggers a run; the run itself compares content hashes,
    so a touched-but-unchanged file costs one hash and no extraction.
    """
    root = Paths.from_env(raw_dir=raw_dir).raw_dir
    h = hashlib.sha256()
    if root.is_dir():
        for rel, st in scan_raw_files(root):
            h.update(f"{display_name(rel)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


@dg.sensor(job=build_warehouse, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Starts a build when a file in the raw folder is added, changed or removed.")
def raw_folder_sensor(context: dg.SensorEvaluationContext):
    fp = folder_fingerprint(Paths.from_env().raw_dir)
    if fp == context.cursor:
        return dg.SkipReason("raw folder unchanged")
    context.update_cursor(fp)
    return dg.RunRequest(run_key=fp)
