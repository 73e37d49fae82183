"""Model.to_json() is exactly what `ovlspec model --json` prints for the same layers."""
import json
import os

import pytest

import ovlspec
from conftest import cli_binary, run


def make_layers(tmp_path):
    (tmp_path / "A" / "d").mkdir(parents=True)
    (tmp_path / "A" / "f").write_bytes(b"top")
    (tmp_path / "A" / "d" / "x").write_bytes(b"ax")
    (tmp_path / "B" / "d").mkdir(parents=True)
    (tmp_path / "B" / "d" / "y").write_bytes(b"by")
    (tmp_path / "B" / "f").write_bytes(b"bottom")
    os.symlink("f", tmp_path / "B" / "l")
    (tmp_path / "C").mkdir()
    (tmp_path / "C" / "data").write_bytes(b"data only")


@pytest.mark.parametrize("options", ["lowerdir=A:B", "lowerdir=B:A::C", "lowerdir=A:B,redirect_dir=on",
                                     "lowerdir=A:Missing"])
def test_json_equals_the_cli(tmp_path, monkeypatch, options):
    cli = cli_binary()
    assert os.access(cli, os.X_OK), f"the ovlspec CLI of this build tree is missing: {cli} (set OVLSPEC_CLI)"
    make_layers(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = run([cli, "model", "-o", options, "--json", "--kernel", "6.18"])
    assert out.returncode == 0, out.stderr
    ours = ovlspec.Model.from_disk(options, kernel="6.18").to_json()
    assert json.loads(ours) == json.loads(out.stdout)
    assert json.loads(ours)["schema"] == "ovlspec.observation/1"
