"""Shared fixtures of the ovlspec Python tests: a small stack as Python data and on disk."""
import os
import subprocess

import pytest

import ovlspec

# A stack with an opaque directory, a whiteout and a file shadowing a lower one.
STACK = {
    "U": {"/foo": b"upper foo", "/gone": {"type": "chr", "rdev": (0, 0)}},
    "A": {
        "/foo": b"a foo",
        "/d": {"type": "dir", "xattrs": {"trusted.overlay.opaque": b"y"}},
        "/d/a": b"in a",
        "/link": {"type": "lnk", "target": "foo"},
    },
    "B": {"/d/x": b"hidden by opaque", "/gone": b"whited out", "/bar": b"bar"},
    "W": {},
}
OPTIONS = "lowerdir=A:B,upperdir=U,workdir=W"


@pytest.fixture
def case():
    """The STACK as a Case (with an upper, so the workdir W is needed only on disk)."""
    return ovlspec.Case({k: v for k, v in STACK.items()}, OPTIONS, name="python/fixture",
                        clauses=["lookup.nondir-shadows", "opaque.y"])


def write_layer(root, nodes):
    """Writes a layer dict (the STACK format) below root, as root would (xattrs, devices)."""
    os.makedirs(root, exist_ok=True)
    for path, node in sorted(nodes.items(), key=lambda kv: kv[0].count("/")):
        full = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(node, bytes):
            node = {"type": "reg", "content": node}
        kind = node.get("type", "reg")
        if kind == "reg":
            with open(full, "wb") as f:
                f.write(node.get("content", b""))
        elif kind == "dir":
            os.makedirs(full, exist_ok=True)
        elif kind == "lnk":
            os.symlink(node["target"], full)
        elif kind == "chr":
            os.mknod(full, 0o600 | 0o020000, os.makedev(*node["rdev"]))
        for name, value in node.get("xattrs", {}).items():
            os.setxattr(full, name, value, follow_symlinks=False)


def is_root():
    return os.geteuid() == 0


def require_root():
    """Kernel tests run as root; in CI (root) they must never skip."""
    if not is_root():
        if os.environ.get("CI"):
            pytest.fail("kernel tests need root, and CI runs as root")
        pytest.skip("needs root (CAP_SYS_ADMIN) to mount overlayfs")


@pytest.fixture
def disk_stack(tmp_path, monkeypatch):
    """STACK written to tmp_path (U, A, B and an empty W); the cwd is tmp_path."""
    if not is_root():
        pytest.skip("writing trusted.* xattrs and device nodes needs root")
    for name, nodes in STACK.items():
        write_layer(str(tmp_path / name), nodes)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli_binary():
    """The ovlspec CLI of the same build tree as the module (<build>/bin/ovlspec)."""
    env = os.environ.get("OVLSPEC_CLI")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(ovlspec.__file__))), "bin", "ovlspec")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)
