// Properties and fuzzing against the running kernel (label kernel: root and overlayfs required;
// these fail, never skip, when either is missing). Every mount goes through the runners'
// KernelTarget: a private mount namespace, a tmpfs scratch, an isolated child per mount.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <functional>

#include "ovl/batch.hpp"
#include "ovl/features.hpp"
#include "ovl/fuzz.hpp"
#include "ovl/fuzz_target.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/rc_gen.hpp"
#include "ovl/sandbox.hpp"

namespace ovl::gen {
namespace {

/// The kernel target of one mount API, created once per process.
KernelTarget& kernel(MountApi api) {
  static KernelTarget legacy(MountApi::Legacy), fsconfig(MountApi::Fsconfig);
  return api == MountApi::Legacy ? legacy : fsconfig;
}

void require_kernel() {
  if (auto why = overlay_unavailable_reason()) FAIL() << "kernel tests need root and overlayfs: " << *why;
}

Semantics running() {
  Semantics s;
  s.kernel = kernel_features().level;
  return s;
}

std::string listing(const std::vector<Divergence>& ds) {
  std::string out;
  for (const auto& d : ds) out += "  " + d.path + " " + d.field + ": model " + d.model + ", kernel " + d.target + "\n";
  return out;
}

/// model == target for one generated case, shrunk by RapidCheck on failure.
void model_equals(MountApi api) {
  GenCase g = *case_gen();
  FuzzTarget t = fuzz_target(kernel(api));
  std::string err;
  auto ds = run_and_diff(to_case(g), model_oracle(running(), module_params()), t, {}, nullptr, nullptr, &err);
  RC_ASSERT(err.empty());
  if (!ds.empty()) RC_FAIL(describe(g) + listing(ds));
}

RC_GTEST_PROP(KernelProps, ModelEqualsKernel, ()) { model_equals(MountApi::Legacy); }
RC_GTEST_PROP(KernelProps, ModelEqualsKernelFsconfig, ()) { model_equals(MountApi::Fsconfig); }

/// The batching transform is sound in the kernel too: a batch restricted to case k shows what
/// case k shows alone (whenever the shared root could be listed; otherwise the fuzzer reruns
/// the batch case by case).
RC_GTEST_PROP(KernelProps, BatchRestrictedToACaseIsTheCase, ()) {
  std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  auto cases = generate_cases(seed, 16, GenParams{.shape_run = 16});
  FuzzTarget t = fuzz_target(kernel(MountApi::Legacy));
  for (const auto& b : plan_batches(cases, 16)) {
    if (b.size() < 2) continue;
    std::vector<const GenCase*> members;
    for (std::size_t i : b) members.push_back(&cases[i]);
    TargetRun whole = t.run(to_case(make_batch(members), "batch"));
    RC_ASSERT(whole.ok);
    const Entry* root = whole.observation.find("/");
    const bool listed = root && !root->readdir_err && !root->err;  // (RC_PRE does not short-circuit)
    RC_PRE(listed);
    for (std::size_t k = 0; k < b.size(); ++k) {
      TargetRun alone = t.run(to_case(cases[b[k]]));
      RC_ASSERT(alone.ok);
      Observation part = extract(whole.observation, k);
      auto ds = diff(alone.observation, part);
      if (!ds.empty()) RC_FAIL(describe(cases[b[k]]) + "alone vs in the batch:\n" + listing(ds));
    }
  }
}

FuzzOptions ci_options(std::uint64_t seed, std::size_t cases) {
  FuzzOptions o;
  o.seed = seed;
  o.cases = cases;
  o.max_shrink_tries = 300;
  o.max_findings = 40;
  return o;
}

std::string findings_text(const FuzzReport& r) {
  std::string out;
  for (const auto& f : r.findings) {
    out += "finding " + f.group + " on " + f.target + " (" + std::to_string(f.occurrences) + " cases; seed " +
           std::to_string(f.seed) + ", case " + std::to_string(f.index) + "):\n" + describe(f.minimal) +
           listing(f.divergences);
  }
  for (const auto& e : r.errors) out += "error: " + e + "\n";
  return out;
}

/// The CI fuzz: a fixed seed, 20,000 cases (OVL_FUZZ_CASES may change it), both kernel targets;
/// any divergence fails the test and is printed with its minimal case.
TEST(KernelFuzz, FixedSeedThroughBothKernelTargets) {
  require_kernel();
  std::size_t n = 20000;
  if (const char* e = std::getenv("OVL_FUZZ_CASES")) n = std::strtoul(e, nullptr, 10);
  FuzzTarget legacy = fuzz_target(kernel(MountApi::Legacy)), fsconfig = fuzz_target(kernel(MountApi::Fsconfig));
  FuzzReport r = fuzz(ci_options(20261129, n), model_oracle(running(), module_params()), {legacy, fsconfig});
  std::printf("%zu cases in %.1f s (%.0f cases/s), %zu mounts, %zu batch fallbacks\n", r.progress.cases,
              r.progress.seconds, r.progress.cases_per_second(), r.progress.mounts, r.batch_fallbacks);
  EXPECT_EQ(r.progress.cases, n);
  EXPECT_EQ(r.progress.errors, 0u);
  EXPECT_EQ(r.progress.divergent, 0u) << findings_text(r);
}

/// --kernel 6.1 against this kernel: the older rules (no data-only layers, no xattr
/// whiteouts, …) must diverge, and the divergences must shrink to small cases.
TEST(KernelFuzz, OlderFeatureLevelIsFoundAndShrunk) {
  require_kernel();
  Semantics old;
  old.kernel = KernelVersion{6, 1};
  FuzzReport r = fuzz(ci_options(61, 600), model_oracle(old, module_params()), {fuzz_target(kernel(MountApi::Legacy))});
  ASSERT_FALSE(r.findings.empty());
  bool xwhiteout = false, data_only = false;
  for (const auto& f : r.findings) {
    bool small = f.minimal.entry_count() <= 4;
    for (const auto& l : f.minimal.layers)
      for (const auto& e : l.entries)
        xwhiteout |= small && e.type == NodeType::Reg && e.data.empty() &&
                     (e.xattrs.count("trusted.overlay.whiteout") || e.xattrs.count("user.overlay.whiteout"));
    data_only |= small && f.minimal.count(Role::DataOnly) > 0;
  }
  EXPECT_TRUE(xwhiteout) << findings_text(r);
  EXPECT_TRUE(data_only) << findings_text(r);
}

/// A planted model bug (test-only: the oracle drops chardev whiteouts from the regular lowers
/// before predicting) is found against the kernel and shrunk to a case of a few entries.
TEST(KernelFuzz, PlantedBugIsFoundAndShrunk) {
  require_kernel();
  Semantics sem = running();
  ModuleParams mp = module_params();
  Oracle buggy = [sem, mp](const Case& c) {
    Case m = c;
    std::function<void(Node&)> scrub = [&](Node& n) {
      std::erase_if(n.children, [](const auto& kv) { return kv.second->is_chardev_whiteout(); });
      for (auto& [name, child] : n.children) scrub(*child);
    };
    for (auto& [name, layer] : m.layers) {
      if (name.rfind("L", 0) != 0) continue;
      auto copy = std::make_shared<Layer>(*layer);
      scrub(copy->root());
      layer = copy;
    }
    return predict(m, sem, mp);
  };
  FuzzReport r = fuzz(ci_options(7, 400), buggy, {fuzz_target(kernel(MountApi::Legacy))});
  bool found = false;
  for (const auto& f : r.findings) {
    bool lower_whiteout = false;
    for (const auto& l : f.minimal.layers)
      for (const auto& e : l.entries)
        lower_whiteout |= l.role == Role::Lower && e.type == NodeType::Chr && e.rdev_major == 0 && e.rdev_minor == 0;
    found |= lower_whiteout && f.minimal.entry_count() <= 3;
  }
  EXPECT_TRUE(found) << findings_text(r);
}

}  // namespace
}  // namespace ovl::gen
