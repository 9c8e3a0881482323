"""Every analyst notebook, opened in JupyterLab in a real (headless) Chromium and run with *Run All*,
draws every chart: each chart output holds an SVG with marks or a painted canvas, and the page
logged no JavaScript error. All four notebooks are open in one tab at once, as an analyst has them.

The test starts JupyterLab on a free port (its own settings, workspace and runtime folders, copies of
the notebooks in a temporary folder, so nothing in the repo is saved over) and stops it at the end.
The browser is Debian's chromium (`make env` installs it), driven by Playwright without a browser
download of its own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from conftest import stop

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CHROMIUM = os.environ.get("GOVREPORTS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT_S = 240  # one notebook's Run All; the notebooks take 5-20 s each here
DRAW_TIMEOUT_S = 15  # one chart, after it is scrolled into view
DRAW_BUDGET_S = 90  # all charts of a notebook: past it, blank charts are not waited for any more

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(raw_warehouse, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving a temporary copy of notebooks/, reading the test warehouse."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: `make env` installs Debian's chromium")
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    root.mkdir()
    for nb in NOTEBOOKS:
        shutil.copy(nb, root / nb.name)
    port = free_port()
    env = {**os.environ, "GOVREPORTS_WAREHOUSE": str(raw_warehouse),
           # the project's kernelspec ahead of any user-wide one; fresh config, settings, workspaces
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
           "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(base / "ws")}
    # no "get notified about news?" prompt over the notebooks (and no fetch of it)
    notify = base / "settings" / "@jupyterlab" / "apputils-extension"
    notify.mkdir(parents=True)
    (notify / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    log = (base / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1",
         "--LabApp.extension_manager=readonly",
         "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + (base / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
        yield url, root
    finally:
        stop(proc)
        log.close()


# In the page: JupyterLab's application object (expose_app_in_browser), the notebook by path.
JS_PANEL = """(path) => {
  for (const w of window.jupyterapp.shell.widgets('main')) {
    if (w.context && w.context.path === path) return w;
  }
  return null;
}"""

# Chart outputs of a notebook and whether each drew: an output is a chart when its bundle is a
# widget view of Altair's JupyterChart, a Vega-Lite mime bundle, or HTML that calls vegaEmbed. It
# drew when its node holds an SVG with at least one element inside a Vega mark group
# (g.role-mark: the data marks, not axes), or a canvas with painted pixels.
JS_CHARTS = """([path, only]) => {
  const panel = (JS_PANEL)(path);
  const charts = [];
  panel.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code' || (only !== null && only !== i)) return;
    const outputs = cell.model.outputs.toJSON();
    outputs.forEach((out, j) => {
      const data = out.data || {};
      const html = [].concat(data['text/html'] || []).join('');
      const plain = [].concat(data['text/plain'] || []).join('');
      // a widget is a chart when it is Altair's JupyterChart (not, say, a progress bar)
      const kind = data['application/vnd.jupyter.widget-view+json'] && plain.includes('JupyterChart') ? 'widget'
        : Object.keys(data).some(k => k.startsWith('application/vnd.vegalite')) ? 'vegalite-mime'
        : html.includes('vegaEmbed') ? 'html' : null;
      if (!kind) return;
      const child = cell.outputArea.widgets[j];
      const node = child ? child.node : null;
      let marks = 0, painted = false, selects = 0;
      if (node) {
        selects = node.querySelectorAll('.vega-bindings select').length;
        marks = node.querySelectorAll('svg g.role-mark > *').length;
        for (const c of node.querySelectorAll('canvas')) {
          if (!c.width || !c.height) continue;
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let k = 3; k < px.length; k += 4) { if (px[k] !== 0) { painted = true; break; } }
          if (painted) break;
        }
      }
      charts.push({cell: i, output: j, kind, marks, painted, selects, drawn: marks > 0 || painted});
    });
  });
  return charts;
}""".replace("JS_PANEL", JS_PANEL)


def open_and_run(page, path: str) -> None:
    """Open a notebook (beside the ones already open), Run All, wait for the kernel to finish."""
    # (the command returns the widget, which must not travel back to Python)
    page.evaluate("async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }", path)
    page.wait_for_function(f"(path) => {{ const p = ({JS_PANEL})(path); return p && p.context.isReady "
                           "&& p.sessionContext.session && p.sessionContext.session.kernel "
                           "&& p.sessionContext.session.kernel.status === 'idle'; }", arg=path, timeout=180_000)
    page.evaluate(f"""async (path) => {{
        const panel = ({JS_PANEL})(path);
        window.jupyterapp.shell.activateById(panel.id);
        await window.jupyterapp.commands.execute('notebook:run-all-cells');
    }}""", path)
    # done: every code cell has an execution count or an error stopped the run, and the kernel is idle
    page.wait_for_function(f"""(path) => {{
        const panel = ({JS_PANEL})(path);
        const cells = panel.content.widgets.filter(c => c.model.type === 'code');
        const errored = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
        const done = cells.every(c => c.model.executionCount !== null);
        return (done || errored) && panel.sessionContext.session.kernel.status === 'idle';
    }}""", arg=path, timeout=RUN_TIMEOUT_S * 1000, polling=500)


def cell_errors(page, path: str) -> list[str]:
    return page.evaluate(f"""(path) => {{
        const panel = ({JS_PANEL})(path);
        return panel.content.widgets.flatMap(c => c.model.type !== 'code' ? [] :
            c.model.outputs.toJSON().filter(o => o.output_type === 'error')
             .map(o => o.ename + ': ' + o.evalue));
    }}""", path)


def wait_for_charts(page, path: str) -> list[dict]:
    """Scroll every chart output into view (JupyterLab renders cells lazily) and give it time to draw;
    return the charts with what each drew."""
    charts = page.evaluate(JS_CHARTS, [path, None])
    budget = time.monotonic() + DRAW_BUDGET_S
    for ch in charts:
        page.evaluate(f"""([path, i, j]) => {{
            const cell = ({JS_PANEL})(path).content.widgets[i];
            const child = cell.outputArea.widgets[j];
            (child ? child.node : cell.node).scrollIntoView();
        }}""", [path, ch["cell"], ch["output"]])
        deadline = min(time.monotonic() + DRAW_TIMEOUT_S, max(budget, time.monotonic() + 1))
        while True:
            now = next(c for c in page.evaluate(JS_CHARTS, [path, ch["cell"]]) if c["output"] == ch["output"])
            if now["drawn"] or time.monotonic() > deadline:
                break
            page.wait_for_timeout(250)
        ch.update(now)
    return charts


def run_in_browser(url: str, paths: list[str], shots: Path | None = None) -> tuple[dict[str, list[dict]], list[str]]:
    """Open every notebook of paths in one JupyterLab tab, run each, and return its charts, and
    the JavaScript errors the page logged."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    results: dict[str, list[dict]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on("console", lambda msg: errors.append(f"console.error: {msg.text}")
                    if msg.type == "error" else None)
            # ?reset: an empty workspace, not the notebooks an earlier test's page left open
            # (restoring them restarted their kernels and starved the new one on a busy machine)
            page.goto(f"{url}/lab?reset", wait_until="load")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started !== undefined "
                                   "&& document.querySelector('#jp-main-dock-panel')", timeout=180_000)
            page.evaluate("() => window.jupyterapp.started")
            for path in paths:
                open_and_run(page, path)
                failed = cell_errors(page, path)
                assert not failed, f"{path}: a cell raised {failed}"
                results[path] = wait_for_charts(page, path)
                # save as a user would (Ctrl+S); the size of the saved file is checked by the caller
                page.evaluate(f"""async (path) => {{
                    const panel = ({JS_PANEL})(path);
                    await panel.context.save();
                }}""", path)
                if shots is not None:
                    page.screenshot(path=str(shots / f"{Path(path).stem}.png"))
        finally:
            browser.close()
    return results, errors


def test_every_chart_of_every_notebook_draws_in_jupyterlab(lab):
    url, root = lab
    shots = Path(os.environ["GOVREPORTS_SCREENSHOTS"]) if os.environ.get("GOVREPORTS_SCREENSHOTS") else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    results, errors = run_in_browser(url, [p.name for p in NOTEBOOKS], shots)
    report = {path: [(c["cell"], c["kind"], c["marks"], c["painted"]) for c in charts]
              for path, charts in results.items()}
    for path, charts in results.items():
        assert charts, f"{path}: no chart output at all"
        blank = [c for c in charts if not c["drawn"]]
        assert not blank, f"{path}: {len(blank)} of {len(charts)} charts drew nothing: {blank}\n{report}"
    assert not errors, "JavaScript errors in the page:\n" + "\n".join(errors[:20])
    # the region / term dropdowns are there (Vega's bound selection parameters)
    for path in ("01_tech_enterprise_growth.ipynb", "02_tech_contracts.ipynb", "03_what_reports_say.ipynb"):
        assert any(c["selects"] for c in results[path]), f"{path}: no chart has its dropdown"
    # saved after a run, a notebook stays small: a chart output is a widget reference, not a
    # megabyte of JavaScript (JupyterLab does not save widget state unless asked to)
    for p in NOTEBOOKS:
        size = (root / p.name).stat().st_size
        assert size < 1_000_000, f"{p.name} is {size:,} bytes after Run All and save"


def test_a_blank_chart_fails_the_check(lab):
    """The check above is not vacuous: two charts rendered the old way (Altair's inline HTML
    template, the top-level `const spec` of which JupyterLab's shared script scope rejects the
    second time) give one drawn chart, one blank one, and a logged error."""
    url, root = lab
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import altair as alt\nimport polars as pl\nalt.renderers.enable('html', template='inline')\n"
        "df = pl.DataFrame({'x': [1, 2, 3], 'y': [3, 1, 2]})\n"
        "alt.Chart(df).mark_line().encode(x='x', y='y')"),
        nbformat.v4.new_code_cell("alt.Chart(df).mark_point().encode(x='x', y='y')")]
    # the project's kernel, as the real notebooks name it (else JupyterLab asks which kernel)
    nb.metadata["kernelspec"] = nbformat.read(NOTEBOOKS[0], as_version=4).metadata["kernelspec"]
    nbformat.write(nb, root / "zz_old_renderer.ipynb")
    results, errors = run_in_browser(url, ["zz_old_renderer.ipynb"])
    drawn = [c["drawn"] for c in results["zz_old_renderer.ipynb"]]
    assert drawn == [True, False], drawn
    assert any("already been declared" in e for e in errors), errors
