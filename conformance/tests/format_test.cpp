// Unit tests of the .ovl parser, printer and expectation checker.
#include <gtest/gtest.h>

#include "ovl/case_format.hpp"
#include "ovl/sha256.hpp"

namespace ovl {
namespace {

const char* kExample =
    "# L1 metacopy redirects; the regular lower captures it.\n"
    "case data-only/capture-by-regular-lower\n"
    "clause data.redirect.order\n"
    "kernel >= 6.5\n"
    "mount lowerdir=A:B::C,metacopy=on\n"
    "\n"
    "layer A\n"
    "  file /foo metacopy redirect=/1e/de17\n"
    "layer B\n"
    "  file /1e/de17 \"regular lower wins\\n\"\n"
    "layer C\n"
    "  file /1e/de17 \"data-only blob\\n\"\n"
    "\n"
    "expect /foo reg content=\"regular lower wins\\n\"\n";

CaseParseError parse_error(const std::string& text) {
  try {
    parse_case(text, "t.ovl");
  } catch (const CaseParseError& e) {
    return e;
  }
  ADD_FAILURE() << "no parse error for:\n" << text;
  return CaseParseError("", 0, 0, "", "");
}

const std::string kHead = "case s/n\nclause x.y\nmount lowerdir=A:B\n";

TEST(CaseFormat, ParsesTheExample) {
  Case c = parse_case(kExample, "ex.ovl");
  EXPECT_EQ(c.name, "data-only/capture-by-regular-lower");
  EXPECT_EQ(c.clauses, std::vector<std::string>{"data.redirect.order"});
  ASSERT_TRUE(c.min_kernel);
  EXPECT_EQ(c.min_kernel->str(), "6.5");
  EXPECT_EQ(c.options, "lowerdir=A:B::C,metacopy=on");
  ASSERT_EQ(c.layers.size(), 3u);
  const Node* foo = c.layer("A")->find("/foo");
  ASSERT_NE(foo, nullptr);
  EXPECT_EQ(foo->data, "A:/foo\n");  // default content
  EXPECT_EQ(foo->size, 7u);
  EXPECT_EQ(foo->xattr("trusted.overlay.metacopy"), std::optional<std::string_view>(""));
  EXPECT_EQ(foo->xattr("trusted.overlay.redirect"), std::optional<std::string_view>("/1e/de17"));
  EXPECT_EQ(c.layer("B")->find("/1e/de17")->data, "regular lower wins\n");
  EXPECT_TRUE(c.layer("B")->find("/1e")->is_dir());
  ASSERT_EQ(c.expects.size(), 1u);
  EXPECT_EQ(c.expects[0].line, 14);
  EXPECT_EQ(c.expects[0].entry->content, sha256_hex("regular lower wins\n"));
  EXPECT_EQ(c.description, std::vector<std::string>{"L1 metacopy redirects; the regular lower captures it."});
}

TEST(CaseFormat, PrintsTheExampleBackExactly) {
  EXPECT_EQ(print_case(parse_case(kExample, "ex.ovl")), kExample);
}

TEST(CaseFormat, EntriesAndAttributes) {
  Case c = parse_case(kHead +
                          "layer A ns=user\n"
                          "  dir /d mode=0700 uid=5 gid=6 opaque=x\n"
                          "  dir /e ns=trusted opaque=\"yes\" redirect=\"a b\"\n"
                          "  file /d/z \"\" xwhiteout\n"
                          "  file /big \"ab\\x00\" size=10 metacopy=hex:00050001ff\n"
                          "  symlink /l \"../x y\"\n"
                          "  whiteout /w\n"
                          "  chr /c 1:3\n"
                          "  blk /b 7:0\n"
                          "  fifo /f\n"
                          "  sock /s mode=0755\n"
                          "  file /g xattr user.foo=\"a\\tb\" xattr trusted.overlay.overlay.opaque=y\n"
                          "layer B\n",
                      "t.ovl");
  const Layer* a = c.layer("A");
  EXPECT_EQ(a->find("/d")->mode, 0700u);
  EXPECT_EQ(a->find("/d")->uid, 5u);
  EXPECT_EQ(a->find("/d")->xattr("user.overlay.opaque"), std::optional<std::string_view>("x"));
  EXPECT_EQ(a->find("/e")->xattr("trusted.overlay.opaque"), std::optional<std::string_view>("yes"));
  EXPECT_EQ(a->find("/e")->xattr("trusted.overlay.redirect"), std::optional<std::string_view>("a b"));
  EXPECT_EQ(a->find("/d/z")->size, 0u);
  EXPECT_TRUE(a->find("/d/z")->xattr("user.overlay.whiteout"));
  EXPECT_EQ(a->find("/big")->data, std::string("ab\0", 3));
  EXPECT_EQ(a->find("/big")->size, 10u);
  EXPECT_EQ(a->find("/big")->xattr("user.overlay.metacopy"), std::optional<std::string_view>(std::string_view("\x00\x05\x00\x01\xff", 5)));
  EXPECT_EQ(a->find("/l")->target, "../x y");
  EXPECT_TRUE(a->find("/w")->is_chardev_whiteout());
  EXPECT_EQ(a->find("/c")->rdev_minor, 3u);
  EXPECT_EQ(a->find("/b")->type, NodeType::Blk);
  EXPECT_EQ(a->find("/f")->type, NodeType::Fifo);
  EXPECT_EQ(a->find("/s")->mode, 0755u);
  EXPECT_EQ(a->find("/g")->xattr("user.foo"), std::optional<std::string_view>("a\tb"));
  EXPECT_EQ(a->find("/g")->xattr("trusted.overlay.overlay.opaque"), std::optional<std::string_view>("y"));
  // And it round-trips, structurally and textually.
  std::string printed = print_case(c);
  std::string why;
  EXPECT_TRUE(same_case(parse_case(printed, "p.ovl"), c, &why)) << why << "\n" << printed;
  EXPECT_EQ(print_case(parse_case(printed, "p.ovl")), printed);
}

TEST(CaseFormat, ImpliedDirectoryCanBeDeclaredLater) {
  Case c = parse_case(kHead + "layer A\n  file /a/b\n  dir /a opaque=y\n  dir / opaque=y\n", "t.ovl");
  EXPECT_EQ(c.layer("A")->find("/a")->xattr("trusted.overlay.opaque"), std::optional<std::string_view>("y"));
  EXPECT_NE(c.layer("A")->find("/a/b"), nullptr);
  EXPECT_TRUE(c.layer("A")->root().xattr("trusted.overlay.opaque"));
}

TEST(CaseFormat, FsconfigLines) {
  Case c = parse_case("case s/n\nclause x\nfsconfig lowerdir+=A:x\nfsconfig datadir+ fd=D\nfsconfig userxattr\n"
                      "fsconfig upperdir=a b\n",
                      "t.ovl");
  ASSERT_TRUE(c.fsconfig);
  ASSERT_EQ(c.fsconfig->size(), 4u);
  EXPECT_EQ((*c.fsconfig)[0].kind, FsconfigCall::Kind::String);
  EXPECT_EQ((*c.fsconfig)[0].key, "lowerdir+");
  EXPECT_EQ((*c.fsconfig)[0].value, "A:x");
  EXPECT_EQ((*c.fsconfig)[1].kind, FsconfigCall::Kind::Fd);
  EXPECT_EQ((*c.fsconfig)[1].value, "D");
  EXPECT_EQ((*c.fsconfig)[2].kind, FsconfigCall::Kind::Flag);
  EXPECT_EQ((*c.fsconfig)[3].value, "a b");
}

TEST(CaseFormat, MountIsVerbatim) {
  Case c = parse_case("case s/n\nclause x\nmount lowerdir=A\\:x:B,upperdir=\"q\" #no comment \n", "t.ovl");
  EXPECT_EQ(c.options, "lowerdir=A\\:x:B,upperdir=\"q\" #no comment ");
  Case e = parse_case("case s/n\nclause x\nmount\n", "t.ovl");
  EXPECT_EQ(e.options, "");
}

TEST(CaseFormat, Expectations) {
  Case c = parse_case(kHead +
                          "expect / dir children=b,a mode=0755\n"
                          "expect /x errno=ENOENT\n"
                          "expect /y reg size=4 open_errno=EIO\n"
                          "expect /l lnk target=\"x y\"\n"
                          "expect /g absent\n"
                          "expect /h reg content=sha256:" + sha256_hex("hi") + " xattrs=trusted.overlay.bar\n"
                          "expect mount ok\n"
                          "expect mount EINVAL message=\"Unknown parameter\"\n",
                      "t.ovl");
  ASSERT_EQ(c.expects.size(), 8u);
  EXPECT_EQ(c.expects[7].mount->message, "Unknown parameter");
  EXPECT_EQ(c.expects[0].entry->children, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.expects[1].entry->err, "ENOENT");
  EXPECT_EQ(c.expects[2].entry->open_err, "EIO");
  EXPECT_EQ(c.expects[3].entry->target, "x y");
  EXPECT_TRUE(c.expects[4].absent);
  EXPECT_EQ(c.expects[5].entry->content, sha256_hex("hi"));
  EXPECT_FALSE(c.expects[5].content_text);
  EXPECT_TRUE(c.expects[6].mount && c.expects[6].mount->ok);
  Case r = parse_case(print_case(c), "p.ovl");
  std::string why;
  EXPECT_TRUE(same_case(r, c, &why)) << why;
}

struct BadCase {
  std::string text;
  int line, col;
  std::string expected_fragment;
};

TEST(CaseFormat, ErrorsNameLineColumnAndWhatWasExpected) {
  const std::vector<BadCase> bad = {
      {"clause x\n", 1, 1, "`case NAME`"},
      {"case a/../b\n", 1, 6, "case name"},
      {kHead + "layer A\n  file /a/../b\n", 5, 8, "\"..\""},
      {kHead + "layer A\n  file a\n", 5, 8, "absolute path"},
      {kHead + "layer A\n  file /a//b\n", 5, 8, "empty components"},
      {kHead + "layer A\n  file \"/a\\x00b\"\n", 5, 8, "NUL"},
      {kHead + "layer a/b\n", 4, 7, "no '/'"},
      {kHead + "layer ..\n", 4, 7, "\"..\""},
      {kHead + "layer A\n  file /f \"x\n", 5, 13, "closing '\"'"},
      {kHead + "layer A\n  file /f \"\\q\"\n", 5, 12, "an escape"},
      {kHead + "layer A\n  file /f mode=0999\n", 5, 16, "octal"},
      {kHead + "layer A\n  file /f bogus=1\n", 5, 11, "an attribute"},
      {kHead + "layer A\n  file /f\n  file /f\n", 6, 8, "not declared before"},
      {kHead + "layer A\n  file /f\n  file /f/g\n", 6, 8, "is a directory"},
      {kHead + "layer A\n  file /f \"abc\" size=2\n", 5, 8, "size= at least"},
      {kHead + "layer A\nlayer A\n", 5, 7, "not declared before"},
      {kHead + "expect /x errno=EWHAT\n", 4, 17, "errno name"},
      {kHead + "expect /x frob\n", 4, 11, "a type"},
      {kHead + "expect mount maybe\n", 4, 14, "ok or an errno"},
      {kHead + "expect /x\nlayer A\n", 5, 1, "layers before the expectations"},
      {kHead + "  file /x\n", 4, 3, "follow a `layer` line"},
      {"case s/n\nclause x\n", 3, 1, "mount"},
      {"case s/n\nmount x\n", 3, 1, "clause"},
      {kHead + "kernel >= six\n", 4, 11, "kernel version"},
      {kHead + "semantics frob\n", 4, 11, "proposal"},
      {kHead + "layer A\n  chr /c 1\n", 5, 10, "MAJOR:MINOR"},
      {kHead + "layer A\n  file /f metacopy=hex:0\n", 5, 11, "even number"},
      {"case s/n\nclause x\nmount a\nfsconfig b\n", 4, 1, "not both"},
      {"case s/n\r\nclause x\n", 1, 9, "LF line endings"},
      // Names the printer cannot write back (found by fuzz/fuzz_case.cpp: regressions/case/xattr-name-nul).
      {kHead + "layer A\n  file /f xattr user.a" + std::string(1, '\0') + "b=1\n", 5, 17, "printable ASCII"},
      {kHead + "layer A\n  file /f xattr user.\xc3\xbc=1\n", 5, 17, "printable ASCII"},
      {kHead + "layer A\n  file /f xattr user.a\\b=1\n", 5, 17, "printable ASCII"},
  };
  for (const auto& b : bad) {
    CaseParseError e = parse_error(b.text);
    EXPECT_EQ(e.file(), "t.ovl") << b.text;
    EXPECT_EQ(e.line(), b.line) << b.text << e.what();
    EXPECT_EQ(e.column(), b.col) << b.text << e.what();
    EXPECT_NE(e.expected().find(b.expected_fragment), std::string::npos) << b.text << e.what();
    std::string prefix = "t.ovl:" + std::to_string(b.line) + ":" + std::to_string(b.col) + ": expected ";
    EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
  }
}

Observation sample_observation() {
  Observation o;
  Entry root{"/"};
  root.type = NodeType::Dir;
  root.mode = 0755;
  root.children = std::vector<std::string>{"a", "b", "l"};
  Entry a{"/a"};
  a.type = NodeType::Reg;
  a.size = 3;
  a.content = sha256_hex("hi\n");
  Entry b{"/b"};
  b.err = "ENOENT";
  Entry l{"/l"};
  l.type = NodeType::Lnk;
  l.target = "t";
  o.entries = {root, a, b, l};
  return o;
}

TEST(CheckExpectations, HoldingExpectationsGiveNothing) {
  Case c = parse_case(kHead +
                          "expect / dir children=l,b,a\n"
                          "expect /a reg size=3 content=\"hi\\n\"\n"
                          "expect /b errno=ENOENT\n"
                          "expect /nothere errno=ENOENT\n"
                          "expect /nothere absent\n"
                          "expect /l lnk target=t\n"
                          "expect mount ok\n",
                      "t.ovl");
  EXPECT_EQ(check_expectations(c, sample_observation()), std::vector<std::string>{});
}

TEST(CheckExpectations, EachWrongFieldIsReportedWithItsLine) {
  Case c = parse_case(kHead +
                          "expect / dir children=a,b\n"
                          "expect /a reg size=4\n"
                          "expect /a content=\"ho\\n\"\n"
                          "expect /b reg\n"
                          "expect /a absent\n"
                          "expect /nothere reg\n"
                          "expect /l lnk target=u\n"
                          "expect /a open_errno=EIO\n"
                          "expect mount EINVAL\n",
                      "t.ovl");
  auto f = check_expectations(c, sample_observation());
  ASSERT_EQ(f.size(), 9u);
  EXPECT_EQ(f[0], "t.ovl:4: expect /: children: expected [a,b], got [a,b,l]");
  EXPECT_EQ(f[1], "t.ovl:5: expect /a: size: expected 4, got 3");
  EXPECT_NE(f[2].find("t.ovl:6: expect /a: content: expected sha256(\"ho\\n\")"), std::string::npos) << f[2];
  EXPECT_EQ(f[3], "t.ovl:7: expect /b: errno: expected lstat success, got errno=ENOENT");
  EXPECT_EQ(f[4], "t.ovl:8: expect /a: expected absent, got an entry");
  EXPECT_EQ(f[5], "t.ovl:9: expect /nothere: expected an entry, got none (not listed and not found)");
  EXPECT_EQ(f[6], "t.ovl:10: expect /l: target: expected \"u\", got \"t\"");
  EXPECT_EQ(f[7], "t.ovl:11: expect /a: open_errno: expected EIO, got nothing");
  EXPECT_EQ(f[8], "t.ovl:12: expect mount: expected EINVAL, got ok");
}

TEST(CheckExpectations, MountMessageIsASubstring) {
  Case c = parse_case(kHead + "expect mount EINVAL message=\"Unknown parameter\"\n", "t.ovl");
  Observation o;
  o.mount.ok = false;
  o.mount.err = "EINVAL";
  o.mount.message = "overlay: Unknown parameter 'foo'";
  EXPECT_EQ(check_expectations(c, o), std::vector<std::string>{});
  o.mount.message = "overlay: Bad value for 'index'";
  auto f = check_expectations(c, o);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("t.ovl:4: expect mount: message: expected one containing \"Unknown parameter\""), std::string::npos) << f[0];
}

TEST(CheckExpectations, RefusedMount) {
  Case c = parse_case(kHead + "expect mount EINVAL\nexpect /a reg\n", "t.ovl");
  Observation o;
  o.mount.ok = false;
  o.mount.err = "EINVAL";
  auto f = check_expectations(c, o);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("t.ovl:5: expect /a: the mount was refused"), std::string::npos);
}

}  // namespace
}  // namespace ovl
