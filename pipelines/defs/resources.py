"""The one resource every asset uses: where the raw folder and the warehouse are."""


import dagster as dg

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
