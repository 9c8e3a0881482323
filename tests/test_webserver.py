"""The Dagster UI serves the same definitions: start the webserver, ask its GraphQL API."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import stop

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent

QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  name jobs { name } sensors { name } schedules { name cronSchedule }
  assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } }
} } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_webserver_shows_assets_checks_sensor_and_schedule(tmp_path):
    port = _free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_bytes((REPO / "dagster.yaml").read_bytes())
    env = {**os.environ, "DAGSTER_HOME": str(home), "GOVREPORTS_WAREHOUSE": str(tmp_path / "w.duckdb")}
    exe = Path(sys.executable).parent / "dagster-webserver"
    proc = subprocess.Popen([str(exe), "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.time() + 120
        data = None
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read().decode(errors="replace")[-3000:])
            try:
                req = urllib.request.Request(url, data=json.dumps({"query": QUERY}).encode(),
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=10) as resp:
                    data = json.load(resp)
                if data["data"]["repositoriesOrError"].get("nodes"):
                    break
            except (OSError, KeyError):
                pass
            time.sleep(1)
        assert data, "webserver did not answer"
        repo = data["data"]["repositoriesOrError"]["nodes"][0]
        assets = {"/".join(a["assetKey"]["path"]) for a in repo["assetNodes"]}
        assert {"raw_documents", "rejected_files", "reports", "sections", "quantities", "indicators", "section_terms",
                "analyst_views", "published_warehouse"} <= assets
        checks = {c["name"] for a in repo["assetNodes"] for c in a["assetChecksOrError"].get("checks", [])}
        assert {"raw_documents_key_unique", "indicator_values_plausible", "indicators_have_evidence",
                "reports_have_region_and_year", "published_matches_build"} <= checks
        assert "build_warehouse" in {j["name"] for j in repo["jobs"]}
        assert [s["name"] for s in repo["sensors"]] == ["raw_folder_sensor"]
        assert [(s["name"], s["cronSchedule"]) for s in repo["schedules"]] == [("daily_build", "0 6 * * *")]
    finally:
        stop(proc)
