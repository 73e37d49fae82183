"""The .pyi stub matches the module, and everything public is documented."""
import ast
import inspect
import os

import ovlspec

STUB = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "ovlspec.pyi")


def stub_tree():
    with open(STUB) as f:
        return ast.parse(f.read())


def public(names):
    return {n for n in names if not n.startswith("_")}


def stub_top_level():
    names = set()
    for node in stub_tree().body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return public(names)


def stub_members(cls):
    names = set()
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return public(names)


def test_every_public_name_is_in_the_stub_and_vice_versa():
    module_names = public(n for n in dir(ovlspec) if not inspect.ismodule(getattr(ovlspec, n)))
    assert module_names == stub_top_level()


def test_class_members_match_the_stub():
    for node in stub_tree().body:
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(ovlspec, node.name)
        if issubclass(cls, BaseException):
            own = public(vars(cls))  # attributes are set in __init__; compare methods only
            assert own <= stub_members(node) | {"args"}, node.name
            continue
        if issubclass(cls, __import__("enum").Enum):
            assert {m.name for m in cls} == stub_members(node), node.name
            continue
        assert public(vars(cls)) == stub_members(node), node.name


def test_everything_public_has_a_docstring():
    for name in public(dir(ovlspec)):
        obj = getattr(ovlspec, name)
        assert (obj.__doc__ or "").strip(), name
        if inspect.isclass(obj) and not issubclass(obj, BaseException) and not issubclass(obj, __import__("enum").Enum):
            for member, value in vars(obj).items():
                if member.startswith("_"):
                    continue
                assert (getattr(value, "__doc__", None) or "").strip(), f"{name}.{member}"
