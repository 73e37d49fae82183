// model-fuse: the model served by our libfuse3 daemon must show exactly the model's Observation.
#include <gtest/gtest.h>

#include <filesystem>

#include "fuse_test_util.hpp"
#include "ovl/case_format.hpp"
#include "ovl/fuse_daemon.hpp"
#include "ovl/fuse_model_fs.hpp"
#include "ovl/fuse_targets.hpp"
#include "ovl/gen_case.hpp"
#include "ovl/probe.hpp"
#include "ovl/sandbox.hpp"
#include "ovl/xattr_names.hpp"

namespace ovl {
namespace {

using fuse_test::divergences;
using fuse_test::kind_name;
using fuse_test::make_case;

// Every object type, contents with sparse tails, an opaque dir, a whiteout, visible and hidden xattrs.
Case rich_case() {
  Layer a, b;
  a.put("/d", Node::dir());
  a.root().children["d"]->xattrs["trusted.overlay.opaque"] = "y";
  a.put("/d/x", Node::file("top x"));
  Node sparse = Node::file("head");
  sparse.size = 10000;
  a.put("/sparse", sparse);
  a.put("/link", Node::symlink("d/x"));
  a.put("/gone", Node::chardev(0, 0));
  Node fifo;
  fifo.type = NodeType::Fifo;
  a.put("/fifo", fifo);
  Node withx = Node::file("x");
  withx.xattrs["user.overlay.note"] = "shown";
  withx.xattrs["trusted.overlay.overlay.escaped"] = "shown unescaped";
  withx.xattrs["user.plain"] = "plain";
  a.put("/withx", withx);
  b.put("/d/y", Node::file("hidden by opaque"));
  b.put("/gone", Node::file("whited out"));
  b.put("/e/deep/f", Node::file("deep"));
  b.put("/dev", Node::chardev(1, 3));
  return make_case("rich", "lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}});
}

TEST(ModelFuse, RichCaseConforms) {
  auto t = make_model_fuse_target();
  Case c = rich_case();
  TargetOutcome out = t->run(c);
  ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << kind_name(out) << ": " << out.reason;
  EXPECT_EQ(divergences(c, out), "");
  // Not trivially empty: the walk saw the files, the sparse size, the link and the xattrs.
  const Entry* sparse = out.observation.find("/sparse");
  ASSERT_NE(sparse, nullptr);
  EXPECT_EQ(sparse->size, 10000u);
  const Entry* withx = out.observation.find("/withx");
  ASSERT_NE(withx, nullptr);
  ASSERT_TRUE(withx->xattrs);
  EXPECT_EQ(out.observation.find("/d/y"), nullptr);
  EXPECT_EQ(out.observation.find("/gone"), nullptr);
}

TEST(ModelFuse, UpperAndErrnosConform) {
  Layer u, w, l;
  u.put("/f", Node::file("upper"));
  l.put("/f", Node::file("lower"));
  l.put("/g", Node::file("only lower"));
  Node meta = Node::file("");
  meta.size = 5;
  meta.xattrs["trusted.overlay.metacopy"] = "";
  u.put("/m", meta);  // metacopy on the upper with metacopy=off: the model says what this gives
  l.put("/m", Node::file("lower"));
  Case c = make_case("upper", "lowerdir=L,upperdir=U,workdir=W", {{"U", std::move(u)}, {"W", std::move(w)}, {"L", std::move(l)}});
  auto t = make_model_fuse_target();
  TargetOutcome out = t->run(c);
  ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
  EXPECT_EQ(divergences(c, out), "");
}

// The comparison can fail: a daemon serving a different stack than the one predicted diverges.
TEST(ModelFuse, DriftIsDetected) {
  Case served = rich_case();
  Case predicted = rich_case();
  predicted.layers[0].second->put("/d/x", Node::file("other bytes"));
  Prediction p = fuse_test::model_of(served);
  ASSERT_TRUE(p.model);
  Sandbox& sb = Sandbox::enter();
  std::string mnt = sb.make_dir("drift");
  FuseDaemon d = FuseDaemon::fork_function([&] { return serve_model(*p.model, mnt); }, mnt);
  ASSERT_TRUE(d.wait_mounted(10)) << d.poll_exit().describe();
  Observation seen = probe(mnt);
  EXPECT_EQ(d.stop(2), "");
  TargetOutcome out;
  out.observation = seen;
  std::string text = divergences(predicted, out);
  EXPECT_NE(text.find("/d/x content"), std::string::npos) << text;
  EXPECT_EQ(divergences(served, out), "");
  sb.remove_tree(mnt);
}

// Runs cases through model-fuse; every accepted one must give the model's Observation.
void expect_all_conform(const std::vector<Case>& cases, std::size_t min_observed) {
  auto t = make_model_fuse_target();
  std::size_t observed = 0, skipped = 0;
  for (const Case& c : cases) {
    TargetOutcome out = t->run(c);
    if (out.kind == TargetOutcome::Kind::Skipped) {
      ++skipped;
      continue;
    }
    ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << c.name << ": " << out.reason;
    ++observed;
    EXPECT_EQ(divergences(c, out), "") << "case " << c.name << " (" << c.source_file << ")";
  }
  std::printf("model-fuse: %zu cases conform, %zu skipped (proposals or refused mounts)\n", observed, skipped);
  EXPECT_GE(observed, min_observed);
}

TEST(ModelFuse, CorpusConforms) {
  auto cases = load_corpus(std::filesystem::path(OVLSPEC_SOURCE_DIR) / "conformance" / "cases");
  ASSERT_FALSE(cases.empty());
  expect_all_conform(cases, cases.size() / 2);
}

TEST(ModelFuse, GeneratedBatchConforms) {
  std::vector<Case> cases;
  std::size_t i = 0;
  gen::GenParams params;
  params.force_no_userxattr = true;  // tmpfs refuses user.* xattrs on symlinks and special files
  for (const auto& g : gen::generate_cases(20261129, 60, params)) cases.push_back(gen::to_case(g, "gen-" + std::to_string(i++)));
  expect_all_conform(cases, 20);
}

}  // namespace
}  // namespace ovl
