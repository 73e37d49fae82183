// The batching transform on full Cases (generators/case_batch.hpp) and the shared-run driver
// (batch_run.hpp), through the model target: every case's Observation out of a shared run must
// equal the one it gets alone. Label unit (no mounts).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>

#include "ovl/batch_run.hpp"
#include "ovl/case_batch.hpp"
#include "ovl/case_format.hpp"
#include "ovl/gen_case.hpp"
#include "ovl/run_targets.hpp"

namespace ovl {
namespace {

Case two_lowers(std::string name) {
  Case c;
  c.name = std::move(name);
  c.options = "lowerdir=A:B,metacopy=on";
  c.layers.emplace_back("A", std::make_shared<Layer>());
  c.layers.emplace_back("B", std::make_shared<Layer>());
  return c;
}

Layer& layer(Case& c, std::size_t i) { return *c.layers[i].second; }

// Runs cases through t in shared runs and alone; returns one line per case whose Observations
// differ (empty when all agree).
std::string shared_vs_alone(const std::vector<const Case*>& cases, Target& t, BatchRunStats& stats,
                            std::size_t max_size = 32) {
  BatchRunOptions o;
  o.max_size = max_size;
  auto shared = run_batched(cases, [&](const Case& c) { return t.run(c); }, o, &stats);
  std::string out;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    TargetOutcome alone = t.run(*cases[i]);
    if (shared[i].kind != alone.kind) {
      out += cases[i]->name + ": outcome kind differs\n";
      ++differing;
      continue;
    }
    auto a = to_json(alone.observation), b = to_json(shared[i].observation);
    if (a == b) continue;
    if (++differing > 3) continue;  // the first three in full, then only the count
    out += cases[i]->name + ":\n  alone  " + a.dump() + "\n  shared " + b.dump() + "\n";
  }
  if (differing) out += std::to_string(differing) + " of " + std::to_string(cases.size()) + " cases differ\n";
  return out;
}

TEST(CaseBatch, RenamesTopLevelNamesAndRedirectsKeepsEverythingElse) {
  Case c = two_lowers("r");
  Node d = Node::dir(0700);
  d.uid = 12;
  d.gid = 34;
  d.xattrs["trusted.overlay.redirect"] = "/x/y";
  layer(c, 0).put("/d", d);
  Node f = Node::file("abc", 0600);
  f.xattrs["trusted.overlay.metacopy"] = "";
  f.xattrs["trusted.overlay.redirect"] = "/obj/f";
  layer(c, 0).put("/d/f", f);
  Node r = Node::dir();
  r.xattrs["user.overlay.redirect"] = "sib";
  layer(c, 0).put("/r", r);
  Node s = Node::dir();
  s.xattrs["trusted.overlay.redirect"] = "inner";
  layer(c, 0).put("/d/s", s);
  layer(c, 1).put("/dev", Node::chardev(1, 3));
  layer(c, 1).root().mode = 0711;
  layer(c, 1).root().xattrs["user.note"] = "n";

  Case p = gen::renamed(c, 3);
  ASSERT_EQ(p.options, c.options);
  const Layer& a = *p.layers[0].second;
  const Node* pd = a.find("/d.3");
  ASSERT_NE(pd, nullptr);
  EXPECT_EQ(pd->mode, 0700u);
  EXPECT_EQ(pd->uid, 12u);
  EXPECT_EQ(pd->gid, 34u);
  EXPECT_EQ(*pd->xattr("trusted.overlay.redirect"), "/x.3/y");
  const Node* pf = a.find("/d.3/f");
  ASSERT_NE(pf, nullptr);
  EXPECT_EQ(pf->data, "abc");
  EXPECT_EQ(pf->mode, 0600u);
  EXPECT_EQ(*pf->xattr("trusted.overlay.redirect"), "/obj.3/f");  // absolute: renamed at any depth
  EXPECT_EQ(*a.find("/r.3")->xattr("user.overlay.redirect"), "sib.3");  // relative at the root
  EXPECT_EQ(*a.find("/d.3/s")->xattr("trusted.overlay.redirect"), "inner");  // relative deeper: as is
  EXPECT_EQ(a.find("/d"), nullptr);
  const Layer& b = *p.layers[1].second;
  EXPECT_EQ(b.root().mode, 0711u);
  EXPECT_EQ(*b.root().xattr("user.note"), "n");
  ASSERT_NE(b.find("/dev.3"), nullptr);
  EXPECT_EQ(b.find("/dev.3")->rdev_minor, 3u);
  // The original is untouched.
  EXPECT_NE(layer(c, 0).find("/d"), nullptr);
  EXPECT_EQ(*layer(c, 0).find("/d")->xattr("trusted.overlay.redirect"), "/x/y");
}

TEST(CaseBatch, KeysAndReasons) {
  Case c = two_lowers("k");
  layer(c, 0).put("/a", Node::file("x"));
  EXPECT_EQ(gen::unbatchable_reason(c), std::nullopt);
  Case other = c;
  other.options = "lowerdir=A:B";
  EXPECT_NE(gen::batch_key(c), gen::batch_key(other));
  Case mode = two_lowers("m");
  mode.layers[1].second->root().mode = 0700;
  EXPECT_NE(gen::batch_key(two_lowers("n")), gen::batch_key(mode));
  EXPECT_EQ(gen::batch_key(two_lowers("n")), gen::batch_key(two_lowers("o")));  // names do not count

  Case slash = two_lowers("s");
  slash.options = "lowerdir=A/sub:B";
  EXPECT_NE(gen::unbatchable_reason(slash), std::nullopt);
  Case fs = two_lowers("f");
  fs.fsconfig = std::vector<FsconfigCall>{};
  EXPECT_NE(gen::unbatchable_reason(fs), std::nullopt);
  Case dot = two_lowers("d");
  layer(dot, 1).put("/a.b", Node::file("x"));
  EXPECT_NE(gen::unbatchable_reason(dot), std::nullopt);
  Case rootx = two_lowers("x");
  layer(rootx, 1).root().xattrs["trusted.overlay.opaque"] = "x";
  EXPECT_NE(gen::unbatchable_reason(rootx), std::nullopt);
  Case impure = two_lowers("i");
  layer(impure, 0).root().xattrs["trusted.overlay.impure"] = "y";
  EXPECT_NE(gen::unbatchable_reason(impure), std::nullopt);
  Case longname = two_lowers("l");
  layer(longname, 0).put("/" + std::string(251, 'n'), Node::file("x"));
  EXPECT_NE(gen::unbatchable_reason(longname), std::nullopt);

  EXPECT_THROW(gen::make_case_batch({&c, &other}), std::invalid_argument);
  EXPECT_THROW(gen::make_case_batch({&c, &dot}), std::invalid_argument);
  // A setter of xwhiteouts flags and a reader of them never share a mount.
  Case setter = two_lowers("setter");
  Node xd = Node::dir();
  xd.xattrs["trusted.overlay.opaque"] = "x";
  layer(setter, 0).put("/q", xd);
  Case reader = two_lowers("reader");
  layer(reader, 0).put("/p", xd);
  layer(reader, 1).put("/p/f", Node::file("f"));
  EXPECT_NO_THROW(gen::make_case_batch({&setter, &c}));
  EXPECT_THROW(gen::make_case_batch({&setter, &reader}), std::invalid_argument);
  const std::vector<const Case*> all{&setter, &reader, &c, &other, &dot};
  auto plan = gen::plan_case_batches(all, 32);
  std::size_t planned = 0;
  for (const auto& b : plan) {
    planned += b.size();
    if (b.size() == 1) continue;
    std::vector<const Case*> m;
    for (auto i : b) m.push_back(all[i]);
    EXPECT_NO_THROW(gen::make_case_batch(m));
  }
  EXPECT_EQ(planned, all.size());
  // setter, reader and c share a key: c joins one of them, the other is alone; other and dot alone.
  EXPECT_EQ(plan.size(), 4u);
}

TEST(CaseBatch, MakeBatchUnitesAndExtractSplits) {
  Case a = two_lowers("a"), b = two_lowers("b");
  layer(a, 0).put("/f", Node::file("from a"));
  layer(b, 1).put("/f", Node::file("from b"));
  layer(b, 0).put("/g", Node::symlink("f"));
  Case batch = gen::make_case_batch({&a, &b}, "ab");
  EXPECT_EQ(batch.options, a.options);
  EXPECT_NE(batch.layers[0].second->find("/f.0"), nullptr);
  EXPECT_NE(batch.layers[1].second->find("/f.1"), nullptr);
  EXPECT_NE(batch.layers[0].second->find("/g.1"), nullptr);
  EXPECT_EQ(batch.layers[0].second->find("/f"), nullptr);
  auto model = make_model_target();
  Observation whole = model->run(batch).observation;
  EXPECT_EQ(to_json(gen::extract(whole, 0)), to_json(model->run(a).observation));
  EXPECT_EQ(to_json(gen::extract(whole, 1)), to_json(model->run(b).observation));
}

// The whole corpus in shared runs through the model target: each case's Observation equals the
// one it gets alone, and most cases really shared a run.
TEST(CaseBatch, CorpusSharedEqualsAloneThroughTheModel) {
  std::vector<Case> corpus = load_corpus(std::string(OVLSPEC_SOURCE_DIR) + "/conformance/cases");
  ASSERT_GT(corpus.size(), 100u);
  std::vector<const Case*> ptrs;
  for (const auto& c : corpus) ptrs.push_back(&c);
  auto model = make_model_target();
  BatchRunStats stats;
  std::string d = shared_vs_alone(ptrs, *model, stats);
  EXPECT_EQ(d, "");
  EXPECT_GT(stats.batched_cases, corpus.size() / 2) << "shared runs: " << stats.shared_runs;
  EXPECT_LT(stats.runs, corpus.size() * 2 / 3);
  for (const auto& r : stats.fallback_reasons) std::printf("fallback: %s\n", r.c_str());
  std::printf("%zu cases: %zu runs, %zu shared (%zu cases), %zu alone, %zu fallback\n", corpus.size(), stats.runs,
              stats.shared_runs, stats.batched_cases, stats.alone_cases, stats.fallback_cases);
}

// Generated cases in runs of one shape (equal options), with modes, owners and sizes no GenCase
// has: shared runs through the model target equal the cases alone.
RC_GTEST_PROP(CaseBatchProps, GeneratedSharedEqualsAlone, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto count = *rc::gen::inRange<std::size_t>(2, 13);
  gen::GenParams prm;
  prm.shape_run = 4;
  std::vector<Case> cases;
  std::uint64_t x = seed | 1;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::size_t i = 0;
  for (const auto& g : gen::generate_cases(seed, count, prm)) {
    Case c = gen::to_case(g, "g" + std::to_string(i++));
    for (auto& [name, l] : c.layers) {
      std::vector<Node*> todo{&l->root()};
      while (!todo.empty()) {
        Node* n = todo.back();
        todo.pop_back();
        if (n != &l->root() && next() % 3 == 0) n->mode = static_cast<std::uint32_t>(next() % 01000);
        if (next() % 5 == 0) n->uid = static_cast<std::uint32_t>(next() % 3);
        for (auto& [cn, child] : n->children) todo.push_back(child.get());
      }
    }
    cases.push_back(std::move(c));
  }
  std::vector<const Case*> ptrs;
  for (const auto& c : cases) ptrs.push_back(&c);
  auto model = make_model_target();
  BatchRunStats stats;
  std::string d = shared_vs_alone(ptrs, *model, stats, *rc::gen::inRange<std::size_t>(2, 6));
  RC_TAG(stats.shared_runs > 0 ? "shared" : "alone");
  if (!d.empty()) RC_FAIL(d);
}

}  // namespace
}  // namespace ovl
