"""notebooks/explore_city.ipynb runs top to bottom with the interpreter running the tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore_city.ipynb"


def kernel_for_this_python(tmp_path: Path) -> KernelManager:
    """A kernel spec pointing at sys.executable, so a fresh venv needs no `ipykernel install`."""
    spec_dir = tmp_path / "kernels" / "lifecircle-test"
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "lifecircle test kernel", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")], ensure_native_kernel=False)
    return KernelManager(kernel_name="lifecircle-test", kernel_spec_manager=ksm)


@pytest.mark.slow
def test_explore_city_notebook_runs(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=300, km=kernel_for_this_python(tmp_path),
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2, "the city map and the day timeline"
    text = "".join(o.get("text", "") for o in outputs)
    assert "signaling" in text and "records;" in text
