"""The notebooks of examples/notebooks/, executed for real: nbclient runs every cell on an
IPython kernel (bounded time), the outputs must have the right MIME types, and a small
HTML export of the executed notebook is rendered in headless Chromium, which measures that
the sigmoid diagram and the lecture MLP's diagram fit a 1400 px wide page at their default
settings and that node text on the stepper is at least 14 px tall at 1280 x 720.

Skipped when nbclient/nbformat/ipykernel, Graphviz's dot or (for the browser part)
Chromium and chromedriver are missing. The HTML export is written here (nbconvert is not a
dependency): one block per cell, the outputs as a notebook shows them (SVG and HTML inline,
PNG as a data: URL), in a layout like JupyterLab's exported HTML (a prompt column of 100 px,
16 px margins)."""
import base64
import html
import shutil
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "examples" / "notebooks"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed")
pytestmark = [needs_dot]


def execute(name: str, tmp_path: Path):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Both notebooks, executed once for the module (each cell within 120 s)."""
    tmp = tmp_path_factory.mktemp("nb")
    return {name: execute(name, tmp) for name in ("lecture.ipynb", "backprop_by_hand.ipynb")}


def outputs(cell) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") != "stream"]


def mimes(cell) -> set[str]:
    return {m for o in outputs(cell) for m in o.get("data", {})}


def find(nb, text: str):
    cells = [c for c in nb.cells if c.cell_type == "code" and text in c.source]
    assert cells, f"no code cell contains {text!r}"
    return cells[0]


def test_no_cell_fails_and_nothing_is_written_beside_the_notebooks(executed):
    for name, nb in executed.items():
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                assert o.get("output_type") != "error", (name, cell.source, o)
    assert sorted(p.name for p in NOTEBOOKS.iterdir() if not p.name.startswith(".")) == [
        "backprop_by_hand.ipynb", "lecture.ipynb"]


def test_output_mime_types(executed):
    nb = executed["lecture.ipynb"]
    sigmoid = find(nb, "y.backward()\ny")
    assert "image/svg+xml" in mimes(sigmoid)                # a Value shows its graph
    table = find(nb, "walkthrough(y)")
    assert "text/html" in mimes(table)
    html_table = "".join(o["data"]["text/html"] for o in outputs(table))
    assert "<table" in html_table and "∂x4/∂x3" in html_table
    stepper = find(nb, "stepper(y")
    page = "".join(o["data"]["text/html"] for o in outputs(stepper))
    assert "cg-stepper" in page and "<script>" in page and "one sigmoid gate" in page
    assert "https://" not in page and "<link" not in page   # self-contained
    mlp = find(nb, "draw_graph(loss")
    assert "image/svg+xml" in mimes(mlp)
    plot = find(nb, "plt.show()")
    assert "image/png" in mimes(plot)
    gate = find(nb, "gate.backward()")
    text = "".join(o.get("text", "") for o in gate.outputs)
    assert "d y/d w0: primitive ops -0.1966, one gate -0.1966" in text
    hand = executed["backprop_by_hand.ipynb"]
    check = hand.cells[-1]
    text = "".join(o.get("text", "") for o in check.outputs)
    assert text.count("correct") == 7 and "not quite" not in text
    assert "text/html" in mimes(find(hand, "walkthrough(f)"))
    assert "image/svg+xml" in mimes([c for c in hand.cells if c.source.strip() == "f"][0])


# ---------------------------------------------------------------- the HTML export
_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ margin: 0; font-family: Helvetica, Arial, sans-serif; font-size: 14px; }}
main {{ padding: 16px; }}
.cell {{ display: flex; margin: 4px 0; }}
.prompt {{ flex: 0 0 100px; color: #307fc1; font-family: monospace; text-align: right;
           padding-right: 8px; }}
.body {{ flex: 1 1 auto; min-width: 0; }}
pre {{ margin: 0; white-space: pre-wrap; }}
</style></head><body><main>{cells}</main></body></html>"""


def export_html(nb) -> str:
    """A minimal HTML export: code as <pre>, markdown as text, outputs by MIME type."""
    blocks = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            blocks.append(f'<div class="cell"><div class="prompt"></div><div class="body">'
                          f"<pre>{html.escape(cell.source)}</pre></div></div>")
            continue
        if cell.cell_type != "code":
            continue
        blocks.append(f'<div class="cell"><div class="prompt">In [{k}]:</div>'
                      f'<div class="body"><pre>{html.escape(cell.source)}</pre></div></div>')
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "text/html" in data:
                body = data["text/html"]
            elif "image/svg+xml" in data:
                body = f'<div class="svg-output" data-cell="{k}">{data["image/svg+xml"]}</div>'
            elif "image/png" in data:
                body = f'<img src="data:image/png;base64,{data["image/png"].strip()}">'
            elif o.get("output_type") == "stream" or "text/plain" in data:
                body = f"<pre>{html.escape(o.get('text', '') or data.get('text/plain', ''))}</pre>"
            else:
                continue
            blocks.append(f'<div class="cell output" data-cell="{k}"><div class="prompt"></div>'
                          f'<div class="body">{body}</div></div>')
    return _PAGE.format(title="notebook", cells="\n".join(blocks))


def test_export_is_self_contained(executed):
    page = export_html(executed["lecture.ipynb"])
    assert page.count("<svg") >= 3 and "data:image/png;base64," in page
    base64.b64decode(page.split("data:image/png;base64,")[1].split('"')[0])


@pytest.fixture
def browser(tmp_path):
    sb = pytest.importorskip("test_steps_browser")
    if sb.CHROMIUM is None or sb.CHROMEDRIVER is None:
        pytest.skip("Chromium or chromedriver is not installed")
    with sb.open_browser(tmp_path) as driver:
        yield driver


def _rects(browser, css: str) -> list[dict]:
    return browser.call("POST", "/execute/sync", {"script": """
        return Array.from(document.querySelectorAll(arguments[0])).map(function (e) {
            var r = e.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, height: r.height,
                    width: r.width};
        });""", "args": [css]})


def test_in_a_browser(executed, browser, tmp_path):
    """One browser session for both measurements (a Chromium start costs seconds)."""
    diagrams_fit_a_1400_px_page(executed, browser, tmp_path)
    notebook_stepper_text_at_1280_by_720(executed, browser, tmp_path)


def diagrams_fit_a_1400_px_page(executed, browser, tmp_path):
    nb = executed["lecture.ipynb"]
    page = tmp_path / "lecture.html"
    page.write_text(export_html(nb), encoding="utf-8")
    sb = pytest.importorskip("test_steps_browser")
    sb.viewport(browser, 1400, 900)
    browser.call("POST", "/url", {"url": page.as_uri()})
    inner = browser.call("POST", "/execute/sync", {"script": "return window.innerWidth",
                                                    "args": []})
    assert inner == 1400
    sigmoid = nb.cells.index(find(nb, "y.backward()\ny"))
    mlp = nb.cells.index(find(nb, "draw_graph(loss"))
    sizes = {}
    for name, k in (("sigmoid", sigmoid), ("mlp", mlp)):
        (r,) = _rects(browser, f'.svg-output[data-cell="{k}"] > svg')
        assert r["width"] > 200 and r["right"] <= 1400, (name, r)    # whole, on the page
        sizes[name] = r
    # and at full size: node text at least 14 px (nothing was shrunk to fit)
    for name, k in (("sigmoid", sigmoid), ("mlp", mlp)):
        texts = _rects(browser, f'.svg-output[data-cell="{k}"] g.node text')
        assert texts and min(t["height"] for t in texts if t["height"] > 0) >= 12, name
    width = browser.call("POST", "/execute/sync", {
        "script": "return document.documentElement.scrollWidth", "args": []})
    assert width <= 1400                                    # no horizontal scrolling
    print({k: (round(v["width"]), round(v["height"])) for k, v in sizes.items()})


def notebook_stepper_text_at_1280_by_720(executed, browser, tmp_path):
    nb = executed["lecture.ipynb"]
    page = tmp_path / "lecture.html"
    page.write_text(export_html(nb), encoding="utf-8")
    sb = pytest.importorskip("test_steps_browser")
    sb.viewport(browser, 1280, 720)
    browser.call("POST", "/url", {"url": page.as_uri()})
    texts = _rects(browser, ".cg-stepper .cg-frame:not([hidden]) g.node text")
    tall = [t["height"] for t in texts if t["height"] > 0]
    assert tall and min(tall) >= 14, tall
    # the toggle switches to the one-gate view, whose last frame says the same gradient
    browser.click(".cg-stepper [data-role=toggle]")
    for _ in range(6):
        browser.click(".cg-stepper [data-role=next]")
    counter = browser.text(".cg-stepper [data-role=counter]")
    assert counter == "step 5 of 5"
    caption = browser.text(".cg-stepper [data-role=caption]")
    assert "w0 gets -1.00 x 0.20 = -0.20" in caption, caption     # as the primitive ops
