"""As root: observe() on a real mount and check() against the running kernel (label: kernel).

CI runs as root: these tests fail there rather than skip (conftest.require_root)."""
import json
import os
import sys
import threading
import time

import pytest

import ovlspec
from conftest import OPTIONS, STACK, require_root, run


def overlay_mounts():
    with open("/proc/self/mounts") as f:
        return [l for l in f if l.split()[2] in ("overlay", "fuse.fuse-overlayfs")]


@pytest.fixture(autouse=True)
def kernel_only():
    require_root()
    before_mounts = overlay_mounts()
    yield
    assert overlay_mounts() == before_mounts, "a mount leaked into the test's namespace"


def test_check_leaves_nothing_behind_in_tmp():
    # Other processes use /tmp/ovlspec.* too: run check() where /tmp is a private, empty tmpfs.
    code = ("import ovlspec,os; "
            "c=ovlspec.Case({'A':{'/x':b'a'},'B':{'/y':b'b'}},'lowerdir=A:B',clauses=['stack.root']); "
            "r=ovlspec.check(c); assert not r.failed, r.divergences; "
            "print(sorted(os.listdir('/tmp')))")
    # The module may itself live under /tmp (a build tree there): bind its directory onto /mnt
    # first, inside the private namespace, so the empty tmpfs on /tmp does not hide it.
    moddir = os.path.dirname(os.path.abspath(ovlspec.__file__))
    script = (f"mount --bind '{moddir}' /mnt && mount -t tmpfs t /tmp && "
              f"{sys.executable} -c \"{code}\"")
    env = dict(os.environ, PYTHONPATH="/mnt")
    out = run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_check_case_round_trip(case):
    r = ovlspec.check(case)
    assert [t.name for t in r.targets] == ["kernel", "kernel-fsconfig"]
    for t in r.targets:
        assert t.status == "observed", t.reason
        assert t.divergences == [], [repr(d) for d in t.divergences]
        assert ovlspec.diff(r.model, t.observation) == []
        assert t.observation["/d"].children == ["a"]
        assert "/gone" not in t.observation
    assert not r.failed and bool(r) and r.divergences == []
    assert r.semantics.startswith("kernel-")
    # The model in the check is the Python model of the same case at the same level.
    level = r.semantics.split("-")[1].split("+")[0]
    assert r.model == ovlspec.Model(case, kernel=level).observation


def test_check_sees_a_refused_mount():
    c = ovlspec.Case({"A": {"/x": b"a"}}, "lowerdir=A", clauses=["stack.min-layers"])
    r = ovlspec.check(c, "kernel")
    (t,) = r.targets
    assert t.status == "observed"
    assert not t.observation.mount.ok and t.observation.mount.errno == "EINVAL"
    assert t.divergences == []


def test_check_layers_on_disk_from_a_threaded_interpreter(disk_stack):
    # A thread is running: unshare(CLONE_NEWNS) would refuse this process, check() forks.
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        r = ovlspec.check(OPTIONS, ["kernel"])
    finally:
        stop.set()
        t.join()
    (k,) = r.targets
    assert k.status == "observed", k.reason
    assert k.divergences == []
    assert k.observation["/foo"].content == ovlspec.Model(STACK, OPTIONS).observation["/foo"].content


def test_divergences_are_objects_with_clauses(case):
    # The kernel's observation of one stack against the model of another must diverge.
    r = ovlspec.check(case, "kernel")
    other = ovlspec.Model({"A": {"/foo": b"other"}, "B": {}, "U": {}, "W": {}}, OPTIONS)
    ds = ovlspec.diff(other.observation, r.targets[0].observation)
    assert any(d.path == "/foo" and d.field == "content" for d in ds)


def test_observe_a_real_mount_matches_the_model(disk_stack):
    # Mount in a private namespace made by unshare(1); observe() runs in a child interpreter there.
    code = ("import ovlspec,sys; "
            "print(ovlspec.observe(sys.argv[1], ovlspec.candidate_paths(list(ovlspec.Case.from_disk(sys.argv[2]).layers.values()))).to_json())")
    os.mkdir(disk_stack / "mnt")
    script = (f"mount -t overlay overlay -o {OPTIONS} mnt && "
              f"{sys.executable} -c '{code}' {disk_stack / 'mnt'} '{OPTIONS}'; rc=$?; umount mnt; exit $rc")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(ovlspec.__file__))
    out = run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], env=env)
    assert out.returncode == 0, out.stderr
    seen = ovlspec.Observation.from_json(out.stdout)
    model = ovlspec.Model.from_disk(OPTIONS, kernel="6.18").observation
    assert seen.mount.ok and "/foo" in seen
    assert ovlspec.diff(model, seen) == []
    assert json.loads(out.stdout)["schema"] == "ovlspec.observation/1"


def test_check_bad_arguments(case):
    with pytest.raises(ValueError, match="targets"):
        ovlspec.check(case, ["fuse"])
    with pytest.raises(TypeError, match="stack"):
        ovlspec.check(42)
    with pytest.raises(ValueError, match="timeout"):
        ovlspec.check(case, timeout=0)


def test_check_releases_the_gil():
    # check() runs in another thread; if it held the GIL, this thread could not run meanwhile
    # and its timestamps would show a gap as long as the check.
    big = ovlspec.Case({"A": {f"/d{i}/f{j}": b"x" for i in range(20) for j in range(20)}, "B": {"/b": b"b"}},
                       "lowerdir=A:B", clauses=["stack.root"])
    span = {}

    def work():
        span["start"] = time.monotonic()
        ovlspec.check(big)
        span["end"] = time.monotonic()

    t = threading.Thread(target=work)
    stamps = []
    t.start()
    while t.is_alive():
        stamps.append(time.monotonic())
        time.sleep(0.0005)
    t.join()
    inside = [x for x in stamps if span["start"] <= x <= span["end"]]
    duration = span["end"] - span["start"]
    gaps = [b - a for a, b in zip([span["start"]] + inside, inside + [span["end"]])]
    assert duration > 0.02, f"check() took only {duration:.3f}s: too short to tell"
    assert max(gaps) < duration / 2, f"this thread stalled {max(gaps):.3f}s of a {duration:.3f}s check()"
