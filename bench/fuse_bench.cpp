// Cases per second through the FUSE targets next to the kernel's: the same 24 generated cases
// (within what fuse-overlayfs implements) through model-fuse, fuse-overlayfs and the kernel
// target, each case materialized, mounted, probed and unmounted in the sandbox. Reports
// items_per_second = cases/s (wall clock). Needs root and /dev/fuse.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ovl/fuse_targets.hpp"
#include "ovl/gen_case.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/sandbox.hpp"

namespace {

constexpr std::size_t kCases = 24;

// Generated cases every compared target can run: no data-only layers, no redirect, metacopy,
// verity or userxattr options, no redirect/metacopy/whiteout xattrs.
const std::vector<ovl::Case>& cases() {
  static const std::vector<ovl::Case> all = [] {
    ovl::gen::GenParams p;
    p.force_no_userxattr = true;
    p.data_layers = false;
    p.allow_refused_options = false;
    std::vector<ovl::Case> out;
    std::size_t i = 0;
    for (auto g : ovl::gen::generate_cases(42, kCases, p)) {
      g.options = ovl::gen::GenOptions{};
      for (auto& l : g.layers)
        for (auto& e : l.entries)
          std::erase_if(e.xattrs, [](const auto& kv) {
            return kv.first.find("overlay.redirect") != std::string::npos ||
                   kv.first.find("overlay.metacopy") != std::string::npos ||
                   kv.first.find("overlay.whiteout") != std::string::npos;
          });
      out.push_back(ovl::gen::to_case(g, "bench-" + std::to_string(i++)));
    }
    return out;
  }();
  return all;
}

void run_all(benchmark::State& state, ovl::Target& t) {
  std::size_t errors = 0, skipped = 0;
  for (auto _ : state) {
    for (const auto& c : cases()) {
      ovl::TargetOutcome out = t.run(c);
      if (out.kind == ovl::TargetOutcome::Kind::Error) ++errors;
      if (out.kind == ovl::TargetOutcome::Kind::Skipped) ++skipped;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases().size()));
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["skipped"] = static_cast<double>(skipped);
  if (errors) state.SkipWithError("a case ended in a harness error");
}

void BM_ModelFuse(benchmark::State& state) {
  auto t = ovl::make_model_fuse_target();
  run_all(state, *t);
}
BENCHMARK(BM_ModelFuse)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_FuseOverlayfs(benchmark::State& state) {
  auto t = ovl::make_fuse_overlayfs_target();
  run_all(state, *t);
}
BENCHMARK(BM_FuseOverlayfs)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_Kernel(benchmark::State& state) {
  ovl::KernelTarget t(ovl::MountApi::Legacy);
  run_all(state, t);
}
BENCHMARK(BM_Kernel)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  // The sandbox must be entered before any thread exists (fuse_unavailable_reason enters it).
  if (auto why = ovl::fuse_unavailable_reason()) {
    std::fprintf(stderr, "fuse_bench: cannot run here: %s\n", why->c_str());
    return 3;
  }
  if (auto why = ovl::overlay_unavailable_reason()) {
    std::fprintf(stderr, "fuse_bench: cannot run here: %s\n", why->c_str());
    return 3;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
