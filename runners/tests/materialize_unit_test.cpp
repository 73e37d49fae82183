// The materializer's refusals and path checks, on a plain temporary directory (no mounts).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "ovl/materialize.hpp"
#include "tmp_dir.hpp"

namespace ovl {
namespace {

TEST(CheckEntryName, RefusesEverythingThatIsNotOnePlainName) {
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                          std::string("/"), std::string("a\0b", 3), std::string(256, 'x')}) {
    EXPECT_THROW(check_entry_name(bad, "layer A: /d"), MaterializeError) << bad;
  }
  for (std::string good : {"a", "...", ".hidden", "a b", "a:b", "a\\b", "\xff"}) EXPECT_NO_THROW(check_entry_name(good, "x"));
}

TEST(CheckEntryName, MessageNamesThePlaceAndWhatWasExpected) {
  try {
    check_entry_name("a/b", "layer A: /d");
    FAIL() << "no error";
  } catch (const MaterializeError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("layer A: /d"), std::string::npos) << m;
    EXPECT_NE(m.find("contains '/'"), std::string::npos) << m;
  }
}

TEST(CheckRelativePath, RefusesAbsoluteEmptyAndDotDot) {
  for (const char* bad : {"", "/abs", "a/../b", "..", "a//b", "a/", "./a"})
    EXPECT_THROW(check_relative_path(bad, "layer"), MaterializeError) << bad;
  EXPECT_NO_THROW(check_relative_path("A", "layer"));
  EXPECT_NO_THROW(check_relative_path("l/A", "layer"));
}

TEST(Materialize, RefusesABadChildNameAndWritesNothingOutside) {
  test::TmpDir t;
  Layer l;
  l.root().children.emplace("..", std::make_unique<Node>(Node::file("escape")));
  EXPECT_THROW(materialize_layer(l, t.path(), "A"), MaterializeError);
  Layer l2;
  l2.root().children.emplace("x/../../escape", std::make_unique<Node>(Node::file("escape")));
  EXPECT_THROW(materialize_layer(l2, t.path(), "B"), MaterializeError);
  struct stat st {};
  EXPECT_NE(lstat((t.path() + "/escape").c_str(), &st), 0);
  EXPECT_NE(lstat((t.path() + "/A/escape").c_str(), &st), 0);
}

TEST(Materialize, RefusesBadLayerDirectories) {
  test::TmpDir t;
  Layer l;
  EXPECT_THROW(materialize_layer(l, t.path(), "/etc"), MaterializeError);
  EXPECT_THROW(materialize_layer(l, t.path(), "../up"), MaterializeError);
  EXPECT_THROW(materialize_layer(l, t.path(), ""), MaterializeError);
}

TEST(Materialize, DoesNotFollowASymlinkOnTheWayToTheLayer) {
  test::TmpDir t, outside;
  ASSERT_EQ(symlink(outside.path().c_str(), (t.path() + "/l").c_str()), 0);
  Layer l;
  l.put("/f", Node::file("x"));
  EXPECT_THROW(materialize_layer(l, t.path(), "l/A"), MaterializeError);
  struct stat st {};
  EXPECT_NE(lstat((outside.path() + "/A").c_str(), &st), 0) << "the materializer followed a symlink out";
}

TEST(Materialize, WritesDataSparseTailModesAndReadOnlyDirectories) {
  test::TmpDir t;
  Layer l;
  Node f = Node::file("head", 0640);
  f.uid = geteuid();
  f.gid = getegid();
  f.size = 10000;
  l.put("/ro/f", f);
  Node ro = Node::dir(0555);
  ro.uid = geteuid();
  ro.gid = getegid();
  l.put("/ro", ro);
  l.put("/ro/f", f);
  l.root().uid = geteuid();
  l.root().gid = getegid();
  materialize_layer(l, t.path(), "A");
  struct stat st {};
  ASSERT_EQ(stat((t.path() + "/A/ro/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 10000);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(stat((t.path() + "/A/ro").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0555u);
  std::ifstream in(t.path() + "/A/ro/f", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, std::string("head") + std::string(9996, '\0'));
  chmod((t.path() + "/A/ro").c_str(), 0755);
}

TEST(MaterializeCase, LaysOutLayersWorkdirAndMountpoint) {
  test::TmpDir t;
  Case c;
  c.name = "c";
  c.options = "lowerdir=A,upperdir=U,workdir=W";
  auto a = std::make_shared<Layer>();
  a->put("/f", Node::file("x"));
  a->root().uid = geteuid();
  a->root().gid = getegid();
  for (auto& [n, ch] : a->root().children) ch->uid = geteuid(), ch->gid = getegid();
  auto u = std::make_shared<Layer>();
  u->root().uid = geteuid();
  u->root().gid = getegid();
  c.layers = {{"A", a}, {"U", u}};
  MaterializedCase m = materialize_case(c, t.path());
  struct stat st {};
  EXPECT_EQ(stat((m.layers_dir + "/A/f").c_str(), &st), 0);
  EXPECT_EQ(stat((m.layers_dir + "/U").c_str(), &st), 0);
  EXPECT_EQ(stat((m.layers_dir + "/W").c_str(), &st), 0) << "the workdir was not created";
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(stat(m.mountpoint.c_str(), &st), 0);
  c.options = "lowerdir=A,upperdir=U,workdir=../W";
  test::TmpDir t2;
  EXPECT_THROW(materialize_case(c, t2.path()), MaterializeError);
}

}  // namespace
}  // namespace ovl
