// The batching transform, structurally (the model-level soundness property is in
// batch_model_test.cpp).
#include <gtest/gtest.h>

#include <set>

#include "ovl/batch.hpp"
#include "ovl/gen_case.hpp"

namespace ovl::gen {
namespace {

GenEntry entry(std::string path, NodeType t = NodeType::Dir, std::map<std::string, std::string> x = {}) {
  GenEntry e;
  e.path = std::move(path);
  e.type = t;
  e.xattrs = std::move(x);
  return e;
}

GenCase two_lowers() {
  GenCase g;
  g.layers = {{"L1", Role::Lower, {}}, {"L2", Role::Lower, {}}};
  return g;
}

TEST(Batch, RenameTopLevelNamesAndRedirects) {
  GenCase g = two_lowers();
  g.layers[0].entries = {entry("/a", NodeType::Dir, {{"trusted.overlay.redirect", "/b/c"}}),
                         entry("/r", NodeType::Dir, {{"user.overlay.redirect", "x"}}),
                         entry("/e", NodeType::Dir, {{"trusted.overlay.overlay.redirect", "/q"}}),
                         entry("/bad", NodeType::Dir, {{"trusted.overlay.redirect", "//q"}}),
                         entry("/d/s", NodeType::Dir, {{"trusted.overlay.redirect", "t"}}),
                         entry("/w", NodeType::Dir, {{"trusted.overlay.redirect", "/a/../b/./c"}}),
                         entry("/x", NodeType::Dir, {{"trusted.overlay.redirect", "/../b"}})};
  GenEntry l = entry("/l", NodeType::Lnk);
  l.data = "/abs/target";
  g.layers[1].entries = {l, entry("/", NodeType::Dir, {{"user.note", "n"}})};
  GenCase p = renamed(g, 7);
  const auto& e = p.layers[0].entries;
  ASSERT_EQ(e.size(), 7u);
  EXPECT_EQ(e[0].path, "/a.7");
  EXPECT_EQ(e[0].xattrs.at("trusted.overlay.redirect"), "/b.7/c");
  EXPECT_EQ(e[1].xattrs.at("user.overlay.redirect"), "x.7");                   // a sibling at the root
  EXPECT_EQ(e[2].xattrs.at("trusted.overlay.overlay.redirect"), "/q");         // escaped: not ours
  EXPECT_EQ(e[3].xattrs.at("trusted.overlay.redirect"), "//q.7");              // still invalid
  EXPECT_EQ(e[4].path, "/d.7/s");
  EXPECT_EQ(e[4].xattrs.at("trusted.overlay.redirect"), "t");                  // a sibling inside /d
  EXPECT_EQ(e[5].xattrs.at("trusted.overlay.redirect"), "/a.7/../b.7/./c");
  EXPECT_EQ(e[6].xattrs.at("trusted.overlay.redirect"), "/../b");              // escapes: unchanged
  ASSERT_EQ(p.layers[1].entries.size(), 2u);
  EXPECT_EQ(p.layers[1].entries[0].path, "/l.7");
  EXPECT_EQ(p.layers[1].entries[0].data, "/abs/target");
  EXPECT_EQ(p.layers[1].entries[1].path, "/");
  EXPECT_EQ(option_string(p), option_string(g));
}

TEST(Batch, KeysAndReasons) {
  GenCase g = two_lowers();
  EXPECT_EQ(unbatchable_reason(g), std::nullopt);
  GenCase dot = g;
  dot.layers[0].entries = {entry("/a.b")};
  EXPECT_NE(unbatchable_reason(dot), std::nullopt);
  GenCase root = g;
  root.layers[1].entries = {entry("/", NodeType::Dir, {{"trusted.overlay.opaque", "y"}})};
  EXPECT_NE(batch_key(root), batch_key(g));
  GenCase x = g;
  EXPECT_FALSE(has_xwhiteout_marker(x));
  x.layers[0].entries = {entry("/d", NodeType::Dir, {{"user.overlay.opaque", "x"}})};
  EXPECT_TRUE(has_xwhiteout_marker(x));
  EXPECT_EQ(batch_key(x), batch_key(g));
}

TEST(Batch, MakeBatchUnitesRenamedCases) {
  GenCase a = two_lowers(), b = two_lowers();
  a.layers[0].entries = {entry("/a")};
  b.layers[1].entries = {entry("/b/c", NodeType::Reg)};
  GenCase batch = make_batch({&a, &b});
  std::set<std::string> l1, l2;
  for (const auto& e : batch.layers[0].entries) l1.insert(e.path);
  for (const auto& e : batch.layers[1].entries) l2.insert(e.path);
  EXPECT_EQ(l1, (std::set<std::string>{"/a.0"}));
  EXPECT_EQ(l2, (std::set<std::string>{"/b.1/c"}));
  GenCase other = two_lowers();
  other.options.metacopy = "on";
  EXPECT_THROW(make_batch({&a, &other}), std::invalid_argument);
  GenCase x = two_lowers();
  x.layers[0].entries = {entry("/d", NodeType::Dir, {{"trusted.overlay.opaque", "x"}})};
  EXPECT_NO_THROW(make_batch({&a, &x}));
  EXPECT_NO_THROW(make_batch({&x, &a, &x}));  // setters without regular files in marked dirs: no reader
  // xs: L1's /d is marked, so readdir of /d checks L2's xattr whiteout /d/w: xs reads L2's flag.
  GenCase xs = x;
  xs.layers[1].entries = {entry("/d/w", NodeType::Reg, {{"trusted.overlay.whiteout", ""}})};
  EXPECT_TRUE(flag_sensitive(xs));
  EXPECT_FALSE(flag_sensitive(x));
  EXPECT_EQ(xwhiteout_layers(xs).sets, 1u);
  EXPECT_EQ(xwhiteout_layers(xs).reads, 2u);
  EXPECT_NO_THROW(make_batch({&a, &xs}));
  EXPECT_NO_THROW(make_batch({&x, &a, &xs}));  // x sets L1's flag, xs reads L2's
  GenCase x2 = two_lowers();                  // sets L2's flag
  x2.layers[1].entries = {entry("/e", NodeType::Dir, {{"trusted.overlay.opaque", "x"}})};
  EXPECT_THROW(make_batch({&x2, &a, &xs}), std::invalid_argument);
  EXPECT_THROW(make_batch({&xs, &x2}), std::invalid_argument);
  // a plain file is never dropped: no read
  GenCase plain = xs;
  plain.layers[1].entries = {entry("/d/w", NodeType::Reg)};
  EXPECT_EQ(xwhiteout_layers(plain).reads, 0u);
  EXPECT_NO_THROW(make_batch({&x2, &plain}));
  // an own opaque=x in the layer read decides it already (the model leaves it open or certain)
  GenCase own = xs;
  own.layers[1].entries.push_back(entry("/g", NodeType::Dir, {{"trusted.overlay.opaque", "x"}}));
  EXPECT_EQ(xwhiteout_layers(own).reads, 0u);
  // opaque=x in the namespace the mount does not read (user. without userxattr) decides nothing
  // for the case itself: it still reads L1 (fuzz seed 20261129, case 120604, group "batching")
  GenCase other_ns = two_lowers();
  other_ns.layers[0].entries = {entry("/a", NodeType::Dir, {{"user.overlay.opaque", "x"}}),
                                entry("/c/c", NodeType::Reg, {{"trusted.overlay.metacopy", ""}})};
  other_ns.layers[1].entries = {entry("/c", NodeType::Dir, {{"trusted.overlay.opaque", "x"}})};
  EXPECT_EQ(xwhiteout_layers(other_ns).reads, 1u);
  GenCase sets_l1 = two_lowers();
  sets_l1.layers[0].entries = {entry("/d", NodeType::Dir, {{"trusted.overlay.opaque", "x"}})};
  EXPECT_THROW(make_batch({&other_ns, &sets_l1}), std::invalid_argument);
  // a marker the case does not really have (under a symlink, dropped by to_case) decides
  // nothing either (seed 20261129, case 733822)
  GenCase hidden_marker = xs;
  hidden_marker.layers[1].entries.push_back(entry("/s", NodeType::Lnk));
  hidden_marker.layers[1].entries.back().data = "t";
  hidden_marker.layers[1].entries.push_back(entry("/s/g", NodeType::Dir, {{"trusted.overlay.opaque", "x"}}));
  EXPECT_EQ(xwhiteout_layers(hidden_marker).reads, 2u);
  // the root: opaque=x on a lower root flags "/", whose files in other layers read those flags
  GenCase rx = two_lowers();
  rx.layers[0].entries = {entry("/", NodeType::Dir, {{"trusted.overlay.opaque", "x"}})};
  rx.layers[1].entries = {entry("/f", NodeType::Reg, {{"trusted.overlay.metacopy", ""}})};
  EXPECT_FALSE(has_xwhiteout_marker(rx));
  EXPECT_TRUE(flag_sensitive(rx));
  EXPECT_EQ(xwhiteout_layers(rx).reads, 2u);
  GenCase rx_setter = rx;
  rx_setter.layers[1].entries = {entry("/d", NodeType::Dir, {{"trusted.overlay.opaque", "x"}})};
  EXPECT_NO_THROW(make_batch({&rx, &rx}));
  EXPECT_THROW(make_batch({&rx, &rx_setter}), std::invalid_argument);
}

TEST(Batch, ExtractRestoresNames) {
  Observation o;
  Entry root{.path = "/"}, a3{.path = "/a.3"}, kid{.path = "/a.3/b"}, a30{.path = "/a.30/b"}, a4{.path = "/a.4"};
  root.children = std::vector<std::string>{"a.3", "a.30", "a.4", "b.3"};
  kid.source = Source{"L1", "/a.3/b"};
  o.entries = {root, a3, kid, a30, a4};
  Observation e = extract(o, 3);
  ASSERT_EQ(e.entries.size(), 3u);
  EXPECT_EQ(e.entries[0].path, "/");
  EXPECT_EQ(*e.entries[0].children, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(e.entries[1].path, "/a");
  EXPECT_EQ(e.entries[2].path, "/a/b");
  EXPECT_EQ(e.entries[2].source->path, "/a/b");
}

TEST(Batch, PlanGroupsByKeyAndIsolatesUnbatchable) {
  auto cases = generate_cases(77, 3000, GenParams{.shape_run = 64});
  auto plan = plan_batches(cases, 64);
  std::vector<int> seen(cases.size(), 0);
  std::size_t batched = 0;
  for (const auto& b : plan) {
    ASSERT_FALSE(b.empty());
    EXPECT_LE(b.size(), 64u);
    for (std::size_t i : b) {
      ++seen[i];
      EXPECT_EQ(batch_key(cases[i]), batch_key(cases[b[0]]));
      if (b.size() > 1) {
        EXPECT_EQ(unbatchable_reason(cases[i]), std::nullopt);
      }
      for (std::size_t j : b) {  // no member reads a layer flag another member sets
        if (j != i) {
          EXPECT_EQ(xwhiteout_layers(cases[i]).sets & xwhiteout_layers(cases[j]).reads, 0u);
        }
      }
    }
    if (b.size() > 1) batched += b.size();
  }
  for (int s : seen) EXPECT_EQ(s, 1);
  EXPECT_EQ(plan, plan_batches(cases, 64));  // deterministic
  // almost every case shares a mount, at 6 cases per mount or more
  EXPECT_GT(batched * 10, cases.size() * 9) << batched << " of " << cases.size() << " in " << plan.size() << " mounts";
  EXPECT_GT(cases.size(), plan.size() * 6) << plan.size() << " mounts";
  // without shape runs, options differ from case to case and few cases can share
  auto loose = generate_cases(77, 3000);
  EXPECT_GT(plan_batches(loose, 64).size(), plan.size() * 3);
}

}  // namespace
}  // namespace ovl::gen
