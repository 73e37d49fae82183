"""The whole case corpus through the Python API: load, dump/load round trip, expectations hold."""
import glob
import os

import pytest

import ovlspec

CASES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "conformance", "cases")


def corpus():
    files = sorted(glob.glob(os.path.join(CASES, "**", "*.ovl"), recursive=True))
    assert len(files) > 100, f"the case corpus is missing: {CASES}"
    return files


def test_every_case_round_trips_and_meets_its_expectations():
    failures = []
    for path in corpus():
        c = ovlspec.load_case(path)
        if ovlspec.load_case(ovlspec.dump_case(c)) != c:
            failures.append(f"{path}: dump/load changed the case")
        m = ovlspec.Model(c, semantics=",".join(c.semantics) or None)
        failures += c.check_expectations(m.observation)
    assert failures == []


def test_a_wrong_expectation_is_reported():
    other = ovlspec.Model({"A": {"/zzz": b"z"}, "B": {}}, "lowerdir=A:B").observation
    assert all(ovlspec.load_case(p).check_expectations(other) for p in corpus()[:20] if ovlspec.load_case(p).expectation_count)
