#!/usr/bin/python3
"""Predict what my layer directories look like when mounted, and verify it on this kernel.

A starting point for container-runtime authors:

    sudo PYTHONPATH=build/python /usr/bin/python3 python/examples/predict_and_verify.py \\
        -o lowerdir=layers/app:layers/base,upperdir=rw/upper,workdir=rw/work

prints the model's view of the merged tree (with the layer each path comes from), then mounts
the same directories with the running kernel (legacy mount(2) and fsopen/fsconfig) inside a
private mount namespace, and prints every divergence with the spec clauses behind it.

Exit codes: 0 the kernel agrees with the model, 1 a divergence (or a target failed to run),
2 bad input (a refused option string is not bad input: it is predicted and checked too).
"""
import argparse
import os
import sys

import ovlspec


def describe(entry):
    """One line for an Observation entry."""
    if entry.errno:
        return f"errno {entry.errno}"
    text = entry.type
    if entry.type == "reg":
        text += f" {entry.size} bytes"
        if entry.open_errno:
            text += f", open {entry.open_errno}"
    if entry.type == "lnk":
        text += f" -> {entry.target}"
    if entry.type == "dir":
        text += f", {len(entry.children or [])} children"
    if entry.source:
        text += f"  ({entry.source[0]}:{entry.source[1]})"
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--options", required=True,
                        help="overlay mount options naming layer directories (relative to --cwd)")
    parser.add_argument("-C", "--cwd", default=".", help="directory the layer paths are relative to")
    parser.add_argument("--semantics", default=None,
                        help="kernel, or proposals: data-only-middle, dslash-redirect (comma-separated)")
    parser.add_argument("--target", choices=["kernel", "kernel-fsconfig", "all"], default="all")
    parser.add_argument("--explain", action="append", default=[], metavar="PATH",
                        help="also print the model's clause trace for PATH (repeatable)")
    parser.add_argument("--predict-only", action="store_true", help="do not mount (no root needed)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per kernel mount")
    args = parser.parse_args()

    try:
        os.chdir(args.cwd)
        model = ovlspec.Model.from_disk(args.options, semantics=args.semantics)
    except (OSError, ValueError) as e:  # LayerReadError is an OSError, a bad --semantics a ValueError
        print(f"error: {e}", file=sys.stderr)
        return 2

    print(f"model ({model.semantics.name}):")
    if not model.mount.ok:
        print(f"  mount refused: {model.mount.errno} [{model.mount.clause}] {model.mount.message}")
    for entry in model.observation:
        print(f"  {entry.path:<30} {describe(entry)}")
    for path in args.explain:
        try:
            print(model.explain(path))
        except ovlspec.MountError as e:
            print(f"cannot explain {path}: {e}")
        except ValueError as e:
            print(f"error: --explain: {e}", file=sys.stderr)
            return 2
    if args.predict_only:
        return 0

    targets = ["kernel", "kernel-fsconfig"] if args.target == "all" else [args.target]
    try:
        result = ovlspec.check(args.options, targets, semantics=args.semantics, timeout=args.timeout)
    except ovlspec.SandboxError as e:
        print(f"cannot verify on this machine: {e}", file=sys.stderr)
        return 1
    for t in result.targets:
        if t.status != "observed":
            print(f"{t.name}: {t.status.upper()}: {t.reason}")
            continue
        if not t.divergences:
            print(f"{t.name}: agrees with the model ({len(t.observation)} entries)")
            continue
        print(f"{t.name}: {len(t.divergences)} divergence(s)")
        for d in t.divergences:
            where = d.path or "(mount)"
            print(f"  {where}  {d.field}: model {d.model}, kernel {d.target}  [{', '.join(d.clauses)}]")
        if t.mount_log:
            print(f"  kernel log: {t.mount_log}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
