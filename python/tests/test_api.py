"""The ovlspec module without mounts: options, layers, the model, cases, diff, errors."""
import json
import os

import pytest

import ovlspec
from conftest import OPTIONS, STACK


# ---- option parsing ----------------------------------------------------------------------

def test_parse_options_gives_the_effective_config():
    c = ovlspec.parse_options("lowerdir=A:B::C,redirect_dir=on,metacopy=on", module={})
    assert c.lowers == [("A", "lower"), ("B", "lower"), ("C", "data-only")]
    assert c.redirect_dir is ovlspec.RedirectDir.ON
    assert c.metacopy is True
    assert c.read_only is True
    assert c.upperdir is None
    assert c.xattr_prefix == "trusted.overlay."
    assert "lowerdir=A:B::C" in c.mountinfo


def test_parse_options_upper_and_userxattr():
    c = ovlspec.parse_options("lowerdir=A,upperdir=U,workdir=W,userxattr")
    assert (c.upperdir, c.workdir, c.read_only) == ("U", "W", False)
    assert c.xattr_prefix == "user.overlay."
    assert c.uuid in set(ovlspec.Uuid)


def test_parse_options_refusal_is_a_mount_error():
    with pytest.raises(ovlspec.MountError) as info:
        ovlspec.parse_options("lowerdir=A:B,no_such_option")
    e = info.value
    assert e.errno == 22 and e.errno_name == "EINVAL"
    assert e.clause and "no_such_option" in e.message
    assert isinstance(e, OSError)
    assert "EINVAL" in str(e)


def test_single_lower_without_upper_is_refused():
    with pytest.raises(ovlspec.MountError) as info:
        ovlspec.parse_options("lowerdir=A")
    assert info.value.errno_name == "EINVAL"


def test_parse_fsconfig_and_failing_call_index():
    c = ovlspec.parse_fsconfig([("string", "lowerdir+", "A"), ("string", "lowerdir+", "B"), ("flag", "userxattr")])
    assert [p for p, _ in c.lowers] == ["A", "B"] and c.userxattr
    with pytest.raises(ovlspec.MountError) as info:
        ovlspec.parse_fsconfig([("string", "lowerdir+", "A"), ("string", "bogus", "x")])
    assert info.value.call_index == 1
    with pytest.raises(ValueError, match="kind"):
        ovlspec.parse_fsconfig([("str", "lowerdir+", "A")])
    with pytest.raises(TypeError, match="fsconfig call 0"):
        ovlspec.parse_fsconfig(["lowerdir+=A"])


def test_to_fsconfig_round_trips_through_parse_fsconfig():
    legacy = "lowerdir=A:B,upperdir=U,workdir=W,redirect_dir=nofollow"
    calls = ovlspec.to_fsconfig(legacy)
    assert ("string", "upperdir", "U") in calls
    a, b = ovlspec.parse_fsconfig(calls), ovlspec.parse_options(legacy)
    assert (a.lowers, a.upperdir, a.workdir, a.redirect_dir) == (b.lowers, b.upperdir, b.workdir, b.redirect_dir)


def test_enums_come_from_the_option_table():
    table = ovlspec.option_table()
    assert [row["key"] for row in table][:2] == ["lowerdir", "lowerdir+"]
    enums = [row for row in table if row["kind"] == "enum"]
    assert len(enums) >= 8
    for row in enums:
        assert [m.value for m in row["enum"]] == row["values"], row["key"]
    assert ovlspec.Fsync("strict") is ovlspec.Fsync.STRICT


def test_module_params_and_bad_module():
    rw = "lowerdir=A,upperdir=U,workdir=W"
    assert ovlspec.parse_options(rw, module={"redirect_dir": True}).redirect_dir is ovlspec.RedirectDir.ON
    assert ovlspec.parse_options(rw, module={"redirect_dir": False}).redirect_dir is ovlspec.RedirectDir.FOLLOW
    assert ovlspec.parse_options(rw, module={"redirect_always_follow": False}).redirect_dir is ovlspec.RedirectDir.NOFOLLOW
    with pytest.raises(ValueError, match="unknown parameter"):
        ovlspec.parse_options("lowerdir=A:B", module={"redirectdir": True})
    with pytest.raises(TypeError, match="redirect_max"):
        ovlspec.parse_options("lowerdir=A:B", module={"redirect_max": "x"})


# ---- semantics ---------------------------------------------------------------------------

def test_semantics_flags_and_names():
    s = ovlspec.Semantics.parse("data-only-middle,dslash-redirect", kernel="6.7")
    assert s.data_only_middle and s.dslash_redirect and s.kernel == "6.7"
    assert s.name.startswith("kernel-6.7")
    assert s.has_lowerdir_plus and not s.has_fd_layers
    assert ovlspec.Semantics(kernel="6.1").has_data_only_layers is False
    with pytest.raises(ValueError, match="semantics"):
        ovlspec.Semantics.parse("bogus")
    with pytest.raises(ValueError, match="kernel"):
        ovlspec.Semantics(kernel="six")


def test_kernel_level_changes_the_option_language():
    calls = [("string", "lowerdir+", "A"), ("string", "lowerdir+", "B")]
    ovlspec.parse_fsconfig(calls, kernel="6.7")
    with pytest.raises(ovlspec.MountError) as info:
        ovlspec.parse_fsconfig(calls, kernel="6.6")
    assert info.value.call_index == 0 and "lowerdir+" in info.value.message


# ---- layers ------------------------------------------------------------------------------

def test_layer_from_dict_round_trips():
    layer = ovlspec.Layer.from_dict(STACK["A"])
    assert layer.find("/d")["xattrs"] == {"trusted.overlay.opaque": b"y"}
    assert layer.find("/foo")["content"] == b"a foo"
    assert layer.find("/link")["target"] == "foo"
    assert layer.find("/nope") is None
    again = ovlspec.Layer.from_dict(layer.to_dict())
    assert again.to_dict() == layer.to_dict()
    assert len(layer) == 5  # /, /foo, /d, /d/a, /link


def test_parent_given_after_child_keeps_children():
    layer = ovlspec.Layer.from_dict({"/d/x": b"1", "/d": {"type": "dir", "mode": 0o700}})
    assert layer.find("/d")["mode"] == 0o700
    assert layer.find("/d/x") is not None


@pytest.mark.parametrize("nodes,exc,text", [
    ({"rel": b"x"}, ValueError, "absolute path"),
    ({"/a/../b": b"x"}, ValueError, "absolute path"),
    ({"/a": {"type": "reg", "colour": 1}}, ValueError, "unknown key \"colour\""),
    ({"/a": {"type": "pipe"}}, ValueError, "type"),
    ({"/a": 3}, TypeError, "layer[\"/a\"]"),
    ({"/a": {"type": "dir", "content": b"x"}}, ValueError, "only a reg"),
    ({"/a": {"type": "lnk"}}, ValueError, "target"),
    ({"/a": {"mode": 0o10000}}, ValueError, "permission"),
])
def test_bad_layer_data_names_the_place(nodes, exc, text):
    with pytest.raises(exc, match=None) as info:
        ovlspec.Layer.from_dict(nodes)
    assert text in str(info.value)


# ---- the model ---------------------------------------------------------------------------

def test_model_observation(case):
    m = ovlspec.Model(case)
    o = m.observation
    assert o.mount.ok and m.config is not None
    assert o["/"].children == ["bar", "d", "foo", "link"]
    assert o["/foo"].source == ("U", "/foo")
    assert o["/d"].children == ["a"]          # opaque: B's /d/x is not merged
    assert "/gone" not in o                   # whited out by U's 0/0 char device
    assert o["/link"].target == "foo"
    assert o.find("/d/x") is None
    assert [e.path for e in o] == o.paths()


def test_model_from_dict_and_options_is_the_same_as_from_case(case):
    assert ovlspec.Model(STACK, OPTIONS).observation == ovlspec.Model(case).observation


def test_to_json_is_the_observation_schema(case):
    m = ovlspec.Model(case)
    j = json.loads(m.to_json())
    assert j["schema"] == "ovlspec.observation/1"
    assert j["mount"] == {"status": "ok"}
    assert {e["path"] for e in j["entries"]} == set(m.observation.paths())
    assert ovlspec.Observation.from_json(m.to_json()) == m.observation
    assert m.observation.to_dict() == j
    with pytest.raises(ValueError):
        ovlspec.Observation.from_json("{not json")


def test_explain_gives_the_clause_trace(case):
    m = ovlspec.Model(case)
    r = m.explain("/d/x")
    assert r.errno == "ENOENT" and r.type is None
    assert "opaque.y" in r.clauses
    assert all(isinstance(c, str) and isinstance(t, str) for c, t in r.trace)
    assert "[opaque.y]" in str(r)
    f = m.explain("/foo")
    assert f.type == "reg" and f.meta_at == ("U", "/foo") and f.data_at == ("U", "/foo")
    d = m.explain("/d")
    assert d.merged == [("A", "/d")]
    assert m.clauses("/foo")
    with pytest.raises(KeyError):
        m.clauses("/nope")
    with pytest.raises(ValueError, match="absolute"):
        m.explain("foo")


def test_semantics_reach_the_model():
    stack = {"A": {"/x": b"a"}, "B": {"/y": b"b"}, "C": {"/x": b"c"}}
    with pytest.raises(ovlspec.MountError):
        ovlspec.parse_options("lowerdir=A::B:C")  # data-only layers only at the bottom
    m = ovlspec.Model(stack, "lowerdir=A::B:C", semantics="data-only-middle")
    assert m.semantics.data_only_middle
    assert m.mount.ok
    assert not ovlspec.Model(stack, "lowerdir=A::B:C").mount.ok


def test_refused_mount_is_an_observation_and_explain_raises():
    m = ovlspec.Model({"A": {"/x": b"a"}}, "lowerdir=A,bogus")
    assert not m.mount.ok and m.mount.errno == "EINVAL" and m.mount.clause
    assert m.config is None and len(m.observation) == 0
    with pytest.raises(ovlspec.MountError):
        m.explain("/x")


def test_model_bad_arguments():
    with pytest.raises(TypeError, match="options"):
        ovlspec.Model(STACK)
    with pytest.raises(TypeError, match="layers"):
        ovlspec.Model(["A"], "lowerdir=A:B")
    with pytest.raises(ValueError, match="semantics"):
        ovlspec.Model(STACK, OPTIONS, semantics="nope")
    with pytest.raises(ValueError, match="kernel"):
        ovlspec.Model(STACK, OPTIONS, kernel="latest")
    with pytest.raises(TypeError):
        ovlspec.Model(STACK, OPTIONS, semantics=3)


def test_diff_reports_fields(case):
    model = ovlspec.Model(case).observation
    other = ovlspec.Model({"A": {"/foo": b"different"}, "B": {"/bar": b"bar"}}, "lowerdir=A:B").observation
    ds = ovlspec.diff(model, other)
    assert ds and all(isinstance(d, ovlspec.Divergence) for d in ds)
    fields = {(d.path, d.field) for d in ds}
    assert ("/foo", "content") in fields
    assert ovlspec.diff(model, model) == []


# ---- cases -------------------------------------------------------------------------------

CASE_TEXT = """# A lower file shadowed by an upper one.
case python/doc
clause lookup.nondir-shadows
mount lowerdir=A:B

layer A
  file /f "top"
layer B
  file /f "bottom"

expect /f content="top"
"""


def test_load_and_dump_case(tmp_path):
    c = ovlspec.load_case(CASE_TEXT)
    assert c.name == "python/doc" and c.options == "lowerdir=A:B"
    assert list(c.layers) == ["A", "B"] and c.expectation_count == 1
    assert c.description == ["A lower file shadowed by an upper one."]
    text = ovlspec.dump_case(c)
    assert ovlspec.load_case(text) == c
    p = tmp_path / "doc.ovl"
    p.write_text(text)
    from_path = ovlspec.load_case(p)
    assert from_path == c and from_path.source_file == str(p)
    assert ovlspec.load_case(str(p)) == c
    m = ovlspec.Model(c)
    assert c.check_expectations(m.observation) == []
    wrong = ovlspec.load_case(CASE_TEXT.replace('content="top"', 'content="bottom"'))
    assert wrong.check_expectations(m.observation)


def test_case_syntax_error_has_file_line_col():
    bad = CASE_TEXT.replace("  file /f \"top\"", "  fiel /f \"top\"")
    with pytest.raises(ovlspec.CaseSyntaxError) as info:
        ovlspec.load_case(bad, filename="bad.ovl")
    e = info.value
    assert (e.file, e.line) == ("bad.ovl", 7), str(e)
    assert e.col >= 1 and e.expected and "fiel" in e.got
    assert isinstance(e, ValueError)
    with pytest.raises(ovlspec.CaseSyntaxError):
        ovlspec.load_case(__import__("pathlib").Path("/nonexistent/x.ovl"))
    with pytest.raises(TypeError):
        ovlspec.load_case(42)


def test_case_from_python_dumps_and_reloads(case):
    again = ovlspec.load_case(ovlspec.dump_case(case))
    assert again == case
    assert ovlspec.Model(again).observation == ovlspec.Model(case).observation


def test_dump_case_refuses_what_the_format_cannot_express():
    c = ovlspec.Case({"A": {"/x": b"a"}, "B": {}}, "lowerdir=A:B\nmore", clauses=["stack.root"])
    with pytest.raises(ValueError, match="dump_case"):
        ovlspec.dump_case(c)


def test_from_disk_reads_layers(tmp_path, monkeypatch):
    (tmp_path / "A" / "d").mkdir(parents=True)
    (tmp_path / "A" / "f").write_bytes(b"top")
    (tmp_path / "B").mkdir()
    (tmp_path / "B" / "g").write_bytes(b"low")
    monkeypatch.chdir(tmp_path)
    m = ovlspec.Model.from_disk("lowerdir=A:B", kernel="6.18")
    assert m.observation["/"].children == ["d", "f", "g"]
    assert m.observation["/g"].source == ("B", "/g")
    c = ovlspec.Case.from_disk("lowerdir=A:B")
    assert list(c.layers) == ["A", "B"]
    assert ovlspec.Model(c, kernel="6.18").observation == m.observation
    assert ovlspec.Layer.from_disk("A").find("/f")["content"] == b"top"
    missing = ovlspec.Model.from_disk("lowerdir=A:Nope")
    assert not missing.mount.ok and missing.mount.errno == "ENOENT"


def test_missing_case_file_is_an_error_naming_it():
    with pytest.raises(ovlspec.CaseSyntaxError) as info:
        ovlspec.load_case("/nonexistent/missing.ovl")
    assert info.value.file == "/nonexistent/missing.ovl" and info.value.line == 0
