"""Dagster definitions: a thin layer that runs ``pipelines.stages`` and reports what happened."""
