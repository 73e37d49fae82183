// Cases per second through the erofs target (mkfs.erofs of every regular lower, loop mount,
// overlay mount, probe, teardown) next to the kernel target (tmpfs lowers) on the same cases:
// 24 generated cases and 12 composefs-layout cases (one and two images, 256 fan-out whiteouts).
// Reports items_per_second = cases/s (wall clock) and the share of time spent in mkfs.erofs.
// Needs root, overlay, erofs and mkfs.erofs.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "ovl/composefs_gen.hpp"
#include "ovl/erofs_image.hpp"
#include "ovl/erofs_target.hpp"
#include "ovl/gen_case.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/sandbox.hpp"

namespace {

const std::vector<ovl::Case>& generated() {
  static const std::vector<ovl::Case> all = [] {
    ovl::gen::GenParams p;
    p.allow_refused_options = false;
    std::vector<ovl::Case> out;
    std::size_t i = 0;
    for (const auto& g : ovl::gen::generate_cases(42, 24, p)) out.push_back(ovl::gen::to_case(g, "bench-" + std::to_string(i++)));
    return out;
  }();
  return all;
}

const std::vector<ovl::Case>& composefs() {
  static const std::vector<ovl::Case> all = [] {
    std::vector<ovl::Case> out;
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      ovl::gen::ComposefsParams p;
      p.images = 1 + static_cast<int>(seed % 2);
      p.collide = seed % 2 == 0;
      out.push_back(ovl::gen::to_case(ovl::gen::composefs_case(seed, p), "composefs-" + std::to_string(seed)));
    }
    return out;
  }();
  return all;
}

void run_all(benchmark::State& state, ovl::Target& t, const std::vector<ovl::Case>& cases) {
  std::size_t errors = 0, skipped = 0;
  for (auto _ : state) {
    for (const auto& c : cases) {
      ovl::TargetOutcome out = t.run(c);
      if (out.kind == ovl::TargetOutcome::Kind::Error) ++errors;
      if (out.kind == ovl::TargetOutcome::Kind::Skipped) ++skipped;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["skipped"] = static_cast<double>(skipped);
  if (errors) state.SkipWithError("a case ended in a harness error");
}

void BM_ErofsGenerated(benchmark::State& state) {
  ovl::ErofsTarget t;
  run_all(state, t, generated());
  state.counters["mkfs_s_per_image"] = t.images_built() ? t.mkfs_seconds() / static_cast<double>(t.images_built()) : 0;
}
BENCHMARK(BM_ErofsGenerated)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_KernelGenerated(benchmark::State& state) {
  ovl::KernelTarget t(ovl::MountApi::Legacy);
  run_all(state, t, generated());
}
BENCHMARK(BM_KernelGenerated)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ErofsComposefs(benchmark::State& state) {
  ovl::ErofsTarget t;
  run_all(state, t, composefs());
  state.counters["mkfs_s_per_image"] = t.images_built() ? t.mkfs_seconds() / static_cast<double>(t.images_built()) : 0;
}
BENCHMARK(BM_ErofsComposefs)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_KernelComposefs(benchmark::State& state) {
  ovl::KernelTarget t(ovl::MountApi::Legacy);
  run_all(state, t, composefs());
}
BENCHMARK(BM_KernelComposefs)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  // The sandbox must be entered before any thread exists (unavailable() enters it).
  ovl::ErofsTarget probe;
  if (auto why = probe.unavailable()) {
    std::fprintf(stderr, "erofs_bench: cannot run here: %s\n", why->c_str());
    return 3;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
