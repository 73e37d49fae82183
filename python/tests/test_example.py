"""The example predict_and_verify.py: exit 0 when the kernel agrees, 1 on a divergence, 2 on bad input."""
import os
import sys

import ovlspec
from conftest import OPTIONS, require_root, run

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "predict_and_verify.py")


def example(*args, cwd):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(ovlspec.__file__))
    return run([sys.executable, EXAMPLE, *args], cwd=cwd, env=env)


def test_bad_input_exits_2(tmp_path):
    out = example("-o", "lowerdir=A:B", "--semantics", "bogus", cwd=tmp_path)
    assert out.returncode == 2 and "semantics" in out.stderr


def test_predict_only_needs_no_root(tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "f").write_bytes(b"x")
    (tmp_path / "B").mkdir()
    out = example("-o", "lowerdir=A:B", "--predict-only", "--explain", "/f", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "/f" in out.stdout and "(A:/f)" in out.stdout and "[stack.root]" in out.stdout


def test_agreement_exits_0(disk_stack):
    require_root()
    out = example("-o", OPTIONS, cwd=disk_stack)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "kernel: agrees with the model" in out.stdout
    assert "kernel-fsconfig: agrees with the model" in out.stdout


def test_divergence_exits_1(tmp_path):
    # The data-only-middle proposal accepts a regular lower below a data-only one; 6.18 refuses it.
    require_root()
    for name in "ABC":
        (tmp_path / name).mkdir()
        (tmp_path / name / name.lower()).write_bytes(name.encode())
    out = example("-o", "lowerdir=A::B:C", "--semantics", "data-only-middle", "--target", "kernel", cwd=tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "mount.status: model ok, kernel error EINVAL" in out.stdout
