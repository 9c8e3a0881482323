"""The resources: where the raw folder and the warehouse are; a run's extraction workers."""

from collections.abc import Iterator

import dagster as dg

from pipelines import stages
from pipelines.config import Paths


class WarehouseResource(dg.ConfigurableResource):
    """Raw folder in, DuckDB warehouse out (defaults from GOVREPORTS_RAW_DIR / GOVREPORTS_WAREHOUSE)."""

    raw_dir: str
    warehouse: str
    workers: int = 0  # extraction processes; 0 = one per core, at most 4 (stages.extract)

    @property
    def paths(self) -> Paths:
        return Paths.from_env(self.raw_dir, self.warehouse)


def default_resource() -> WarehouseResource:
    paths = Paths.from_env()
    return WarehouseResource(raw_dir=str(paths.raw_dir), warehouse=str(paths.warehouse))


@dg.resource(description="A run's extraction workers (and the folder listing the CLI made before the run).")
def run_resource(_context) -> Iterator[stages.Run]:
    """One per run, its workers stopped when the run ends however it ends. The CLI passes its
    own instead, prepared before Dagster started, and stops it itself."""
    run = stages.Run()
    try:
        yield run
    finally:
        run.workers.close()
