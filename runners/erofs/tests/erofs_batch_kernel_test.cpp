// The erofs target's shared runs (run_many): cases with equal options share one image per regular
// lower position and one overlay mount, and each case's part of the Observation still equals the
// model's prediction for the case alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "erofs_util.hpp"
#include "ovl/case_format.hpp"
#include "ovl/erofs_image.hpp"
#include "ovl/erofs_target.hpp"

namespace ovl {
namespace {

Case two_image_case(std::string name, std::string top, std::string bottom) {
  Case c;
  c.name = std::move(name);
  c.options = "lowerdir=A:B::D,metacopy=on";
  auto a = std::make_shared<Layer>(), b = std::make_shared<Layer>(), d = std::make_shared<Layer>();
  a->put("/f", Node::file(std::move(top)));
  Node m = Node::file("");
  m.size = 6;
  m.xattrs["trusted.overlay.metacopy"] = "";
  m.xattrs["trusted.overlay.redirect"] = "/obj/x";
  a->put("/m", m);
  b->put("/f", Node::file("never seen"));
  b->put("/g", Node::file(std::move(bottom)));
  d->put("/obj/x", Node::file(c.name + "-o"));
  c.layers = {{"A", a}, {"B", b}, {"D", d}};
  return c;
}

// Three cases with the same names and different bytes share one stack (2 images, 1 mount), and
// each sees only its own bytes, its redirect reaching its own object.
TEST(ErofsBatch, CasesShareImagesAndStaySeparate) {
  Case c0 = two_image_case("c0", "top0", "bottom0"), c1 = two_image_case("c1", "top1", "bottom1"),
       c2 = two_image_case("c2", "top2", "bottom2");
  ErofsTarget t;
  auto out = t.run_many({&c0, &c1, &c2});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(t.images_built(), 2u);
  EXPECT_EQ(t.batch_stats().shared_runs, 1u);
  EXPECT_EQ(t.batch_stats().batched_cases, 3u);
  for (const auto& r : t.batch_stats().fallback_reasons) ADD_FAILURE() << "fallback: " << r;
  const Case* cs[] = {&c0, &c1, &c2};
  for (std::size_t k = 0; k < 3; ++k) {
    ASSERT_EQ(out[k].kind, TargetOutcome::Kind::Observed) << out[k].reason;
    EXPECT_EQ(erofs_test::divergences(*cs[k], out[k], t), "") << cs[k]->name;
    const Entry* f = out[k].observation.find("/f");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->size, 4u);
    EXPECT_EQ(out[k].observation.find("/f.0"), nullptr);
    const Entry* root = out[k].observation.find("/");
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(*root->children, (std::vector<std::string>{"f", "g", "m"}));
    const Entry* m = out[k].observation.find("/m");
    ASSERT_NE(m, nullptr);
    EXPECT_FALSE(m->open_err.has_value()) << *m->open_err;
  }
  // The bytes differ per case, so the contents must too.
  EXPECT_NE(out[0].observation.find("/g")->content, out[1].observation.find("/g")->content);
  EXPECT_NE(out[1].observation.find("/m")->content, out[2].observation.find("/m")->content);
}

std::filesystem::path corpus_dir() {
  if (const char* d = std::getenv("OVLSPEC_CORPUS")) return d;
  return std::filesystem::path(OVLSPEC_SOURCE_DIR) / "conformance" / "cases";
}

// The corpus through run_many in windows of 32 (as `ovlspec run` hands them): every case the
// target runs conforms to the model and its expectations, most of them came from shared mounts,
// the model never vetoed a planned batch, and fewer mounts and images were made than cases
// alone need.
TEST(ErofsBatch, CorpusConformsInSharedMounts) {
  std::vector<Case> cases = load_corpus(corpus_dir());
  ASSERT_GT(cases.size(), 100u);
  ErofsTarget t;
  std::vector<const Case*> runnable;
  std::size_t images_alone = 0;
  for (const Case& c : cases)
    if (c.semantics.empty() && !t.cannot_run(c)) {
      runnable.push_back(&c);
      images_alone += erofs_layer_names(c).size();
    }
  std::string failures;
  std::size_t observed = 0, set_aside = 0;
  for (std::size_t s = 0; s < runnable.size(); s += 32) {
    std::vector<const Case*> window(runnable.begin() + static_cast<std::ptrdiff_t>(s),
                                    runnable.begin() + static_cast<std::ptrdiff_t>(std::min(runnable.size(), s + 32)));
    auto out = t.run_many(window);
    ASSERT_EQ(out.size(), window.size());
    for (std::size_t k = 0; k < window.size(); ++k) {
      const Case& c = *window[k];
      if (out[k].kind != TargetOutcome::Kind::Observed) {
        failures += c.name + ": " + out[k].reason + "\n";
        continue;
      }
      ++observed;
      std::string d = erofs_test::divergences(c, out[k], t);
      Semantics sem = case_semantics(c, t.level(), true);
      sem.one_filesystem = t.layers_on_one_filesystem(c);
      std::vector<int> dropped;  // expect lines written for one filesystem ([readdir.impure])
      Case judged = expectations_for_layout(c, sem, predict(c, sem, module_params()), &dropped);
      set_aside += dropped.size();
      for (const auto& e : check_expectations(judged, out[k].observation)) d += "  expect: " + e + "\n";
      if (!d.empty()) failures += c.name + ":\n" + d;
    }
  }
  const BatchRunStats& st = t.batch_stats();
  std::printf("erofs corpus in shared mounts: %zu cases, %zu mounts (%zu shared, serving %zu cases), %zu alone "
              "(%zu fallback); %zu images built (%zu one case at a time)\n",
              runnable.size(), st.runs, st.shared_runs, st.batched_cases, st.alone_cases, st.fallback_cases,
              t.images_built(), images_alone);
  for (const auto& r : st.fallback_reasons) {
    std::printf("  fallback: %s\n", r.c_str());
    EXPECT_EQ(r.find("differently"), std::string::npos) << "the model vetoed a planned batch: " << r;
  }
  EXPECT_EQ(failures, "");
  EXPECT_EQ(observed, runnable.size());
  EXPECT_LE(set_aside, 2u) << "only the impure-directory cases' expect lines depend on the layout";
  EXPECT_GT(st.batched_cases, runnable.size() / 2);
  EXPECT_LT(st.runs, runnable.size() * 2 / 3);
  EXPECT_LT(t.images_built(), images_alone);  // (a few many-layer cases, run alone, dominate the count)
}

}  // namespace
}  // namespace ovl
