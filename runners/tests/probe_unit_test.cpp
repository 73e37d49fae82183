// The prober and the layer reader on a plain directory (no overlay, no root needed).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "ovl/layer_reader.hpp"
#include "ovl/materialize.hpp"
#include "ovl/probe.hpp"
#include "ovl/sha256.hpp"
#include "tmp_dir.hpp"

namespace ovl {
namespace {

Layer sample() {
  Layer l;
  l.put("/d/f", Node::file("hello", 0640));
  l.put("/d/e", Node::file(""));
  l.put("/l", Node::symlink("d/f"));
  Node fifo;
  fifo.type = NodeType::Fifo;
  fifo.mode = 0600;
  l.put("/p", fifo);
  Node sparse = Node::file("ab");
  sparse.size = 5000;
  l.put("/s", sparse);
  return l;
}

void own(Node& n) {
  n.uid = geteuid();
  n.gid = getegid();
  for (auto& [_, c] : n.children) own(*c);
}

TEST(Probe, WalksAPlainTreeWithoutFollowingOrOpeningSpecials) {
  test::TmpDir t;
  Layer l = sample();
  own(l.root());
  materialize_layer(l, t.path(), "A");
  Observation o = probe(t.path() + "/A");
  ASSERT_NE(o.find("/"), nullptr);
  EXPECT_EQ(*o.find("/")->children, (std::vector<std::string>{"d", "l", "p", "s"}));
  const Entry* f = o.find("/d/f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, NodeType::Reg);
  EXPECT_EQ(f->size, 5u);
  EXPECT_EQ(f->mode, 0640u);
  EXPECT_EQ(f->content, sha256_hex("hello"));
  EXPECT_EQ(o.find("/l")->target, "d/f");
  EXPECT_EQ(o.find("/l")->content, std::nullopt);
  EXPECT_EQ(o.find("/p")->type, NodeType::Fifo);  // not opened: the walk would block otherwise
  EXPECT_EQ(o.find("/s")->content, sha256_hex("ab", 5000));
  EXPECT_EQ(o.find("/d/e")->content, sha256_hex(""));
}

TEST(Probe, RecordsErrnosAndCandidates) {
  test::TmpDir t;
  Layer l = sample();
  own(l.root());
  materialize_layer(l, t.path(), "A");
  ProbeOptions po;
  po.candidates = {"/d/gone", "/d/f", "/x/y"};
  Observation o = probe(t.path() + "/A", po);
  EXPECT_EQ(o.find("/d/gone"), nullptr) << "a candidate giving ENOENT is not recorded";
  EXPECT_EQ(o.find("/x/y"), nullptr);
  // An unreadable file as non-root gives open_errno EACCES (root reads anything).
  if (geteuid() != 0) {
    chmod((t.path() + "/A/d/f").c_str(), 0);
    o = probe(t.path() + "/A");
    EXPECT_EQ(o.find("/d/f")->open_err, "EACCES");
  }
  Observation missing = probe(t.path() + "/nothing");
  ASSERT_EQ(missing.entries.size(), 1u);
  EXPECT_EQ(missing.entries[0].err, "ENOENT");
  po.max_entries = 2;
  EXPECT_THROW(probe(t.path() + "/A", po), std::length_error);
}

TEST(Probe, KeepsOnlyOverlayXattrNames) {
  test::TmpDir t;
  std::string f = t.path() + "/f";
  { FILE* fp = std::fopen(f.c_str(), "w"); ASSERT_NE(fp, nullptr); std::fclose(fp); }
  if (setxattr(f.c_str(), "user.overlay.x", "1", 1, 0) != 0) GTEST_SKIP() << "no user xattrs on " << t.path();
  ASSERT_EQ(setxattr(f.c_str(), "user.other", "1", 1, 0), 0);
  Observation o = probe(t.path());
  ASSERT_NE(o.find("/f"), nullptr);
  EXPECT_EQ(o.find("/f")->xattrs, (std::vector<std::string>{"user.overlay.x"}));
}

TEST(LayerReader, RoundTripsAPlainTree) {
  test::TmpDir t;
  Layer l = sample();
  own(l.root());
  materialize_layer(l, t.path(), "A");
  Layer back = read_layer(t.path() + "/A");
  // Probing both trees gives the same observation: every field the reader keeps is compared.
  test::TmpDir t2;
  materialize_layer(back, t2.path(), "A");
  Observation a = probe(t.path() + "/A"), b = probe(t2.path() + "/A");
  EXPECT_EQ(a.entries, b.entries);
  const Node* s = back.find("/s");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->data, "ab");
  EXPECT_EQ(s->size, 5000u);
  EXPECT_EQ(back.find("/d/f")->mode, 0640u);
  EXPECT_EQ(back.find("/l")->target, "d/f");
  EXPECT_EQ(back.find("/p")->type, NodeType::Fifo);
}

TEST(LayerReader, RefusesTooLargeFilesAndMissingDirectories) {
  test::TmpDir t;
  Layer l;
  l.put("/big", Node::file(std::string(100, 'x')));
  own(l.root());
  materialize_layer(l, t.path(), "A");
  ReadLayerOptions o;
  o.max_file_bytes = 10;
  try {
    read_layer(t.path() + "/A", o);
    FAIL() << "no error";
  } catch (const LayerReadError& e) {
    EXPECT_NE(std::string(e.what()).find("/A/big"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("larger than the limit"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_layer(t.path() + "/none"), LayerReadError);
}

}  // namespace
}  // namespace ovl
