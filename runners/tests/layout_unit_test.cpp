// The light option reading (option_layout.hpp) and the reproducer text (reproducer.hpp).
#include <gtest/gtest.h>

#include "ovl/option_layout.hpp"
#include "ovl/reproducer.hpp"

namespace ovl {
namespace {

TEST(OptionLayout, SplitsAtUnescapedCommasKeepingBackslashes) {
  auto v = split_legacy_options("lowerdir=A\\,b:B,upperdir=U,,workdir=W");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], "lowerdir=A\\,b:B");
  EXPECT_EQ(v[2], "workdir=W");
}

TEST(OptionLayout, LowerdirRolesEscapesAndLastWins) {
  auto l = layout_of_options("lowerdir=X,lowerdir=A\\:x:B::C::D,upperdir=U\\\\1,workdir=W");
  EXPECT_EQ(l.lowers, (std::vector<std::string>{"A:x", "B"}));
  EXPECT_EQ(l.data, (std::vector<std::string>{"C", "D"}));
  EXPECT_EQ(l.upper, "U\\1");
  EXPECT_EQ(l.work, "W");
  auto p = layout_of_options("lowerdir+=A\\:x,datadir+=D");
  EXPECT_EQ(p.lowers, (std::vector<std::string>{"A\\:x"})) << "lowerdir+ values are literal";
  EXPECT_EQ(p.data, (std::vector<std::string>{"D"}));
}

TEST(OptionLayout, RefusedLowerdirFormsNameNoLayers) {
  for (const char* bad : {"lowerdir=A::B:C", "lowerdir=:A", "lowerdir=A:", "lowerdir=A:::B", "lowerdir=::A"}) {
    auto l = layout_of_options(bad);
    EXPECT_TRUE(l.lowers.empty() && l.data.empty()) << bad;
  }
}

TEST(FsconfigFromLegacy, OneCallPerLayerThenTheRest) {
  auto calls = fsconfig_from_legacy("lowerdir=A:B::C,metacopy=on,userxattr");
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[0].key, "lowerdir+");
  EXPECT_EQ(calls[0].value, "A");
  EXPECT_EQ(calls[1].value, "B");
  EXPECT_EQ(calls[2].key, "datadir+");
  EXPECT_EQ(calls[2].value, "C");
  EXPECT_EQ(calls[3].key, "metacopy");
  EXPECT_EQ(calls[3].value, "on");
  EXPECT_EQ(calls[4].kind, FsconfigCall::Kind::Flag);
  EXPECT_EQ(calls[4].key, "userxattr");
  // A lowerdir the splitter refuses goes to the kernel unchanged, for its own error.
  calls = fsconfig_from_legacy("lowerdir=A::B:C");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].key, "lowerdir");
  EXPECT_EQ(calls[0].value, "A::B:C");
  // A repeated lowerdir=: the last one wins.
  calls = fsconfig_from_legacy("lowerdir=C:D,metacopy=on,lowerdir=A:B");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].key, "metacopy");
  EXPECT_EQ(calls[1].value, "A");
  EXPECT_EQ(calls[2].value, "B");
  // Mixed with lowerdir+, lowerdir= stays as written (R54: the kernel decides).
  calls = fsconfig_from_legacy("lowerdir+=A,lowerdir=B:C");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].key, "lowerdir");
}

TEST(Reproducer, QuotesAndRebuildsEveryKindOfNode) {
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  Case c;
  c.name = "r";
  c.options = "lowerdir=A:B";
  auto a = std::make_shared<Layer>();
  Node f = Node::file(std::string("x'%\n\0y", 6), 0600);
  f.size = 100;
  f.xattrs["trusted.overlay.metacopy"] = "";
  f.xattrs["trusted.overlay.redirect"] = "/a b";
  a->put("/d/f", f);
  a->put("/d/wh", Node::chardev(0, 0));
  a->put("/l", Node::symlink("t'x"));
  auto b = std::make_shared<Layer>();
  c.layers = {{"A", a}, {"B", b}};
  Divergence d{"/d/f", "content", "abc", "def", {"metacopy.data"}};
  std::string s = write_reproducer(c, {d});
  EXPECT_NE(s.find("mkdir 'A/d'"), std::string::npos) << s;
  EXPECT_NE(s.find("printf 'x\\047\\045\\012\\000y' > 'A/d/f'"), std::string::npos) << s;
  EXPECT_NE(s.find("truncate -s 100 'A/d/f'"), std::string::npos) << s;
  EXPECT_NE(s.find("setfattr -h -n 'trusted.overlay.metacopy' 'A/d/f'"), std::string::npos) << s;
  EXPECT_NE(s.find("setfattr -h -n 'trusted.overlay.redirect' -v 0x2f612062 'A/d/f'"), std::string::npos) << s;
  EXPECT_NE(s.find("mknod 'A/d/wh' c 0 0"), std::string::npos) << s;
  EXPECT_NE(s.find("ln -s 't'\\''x' 'A/l'"), std::string::npos) << s;
  EXPECT_NE(s.find("mount -t overlay overlay -o 'lowerdir=A:B' mnt"), std::string::npos) << s;
  EXPECT_NE(s.find("sha256sum 'mnt/d/f'"), std::string::npos) << s;
  EXPECT_NE(s.find("[metacopy.data]"), std::string::npos) << s;
  // The modes come after the children (a read-only dir is filled first).
  EXPECT_LT(s.find("'A/d/wh'"), s.find("chmod 0755 'A/d'")) << s;
}

TEST(Reproducer, FsconfigCasesBecomeLowerdirPlusOptions) {
  Case c;
  c.fsconfig = std::vector<FsconfigCall>{{FsconfigCall::Kind::String, "lowerdir+", "A,1"},
                                         {FsconfigCall::Kind::String, "datadir+", "D"},
                                         {FsconfigCall::Kind::Flag, "userxattr", ""}};
  EXPECT_EQ(reproducer_mount_options(c), "lowerdir+=A\\,1,datadir+=D,userxattr");
}

}  // namespace
}  // namespace ovl
