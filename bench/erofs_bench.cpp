// Cases per second through the erofs target (mkfs.erofs of every regular lower, loop mount,
// overlay mount, probe, teardown; image build included) next to the kernel target (tmpfs
// lowers) on the same cases: 24 generated cases in runs of 8 with one shape (as the fuzzer
// batches them) and 12 composefs-layout cases (one and two images, 256 fan-out whiteouts).
// The erofs target runs them one per mount ("Alone": Target::run) and sharing images and
// mounts between cases with equal options ("Shared": Target::run_many, windows of 32 as
// `ovlspec run` hands them). Reports items_per_second = cases/s (wall clock), the mkfs.erofs
// time per image, and images and mounts per case. "SharedNoVet": without the model's check of
// each batch (ErofsOptions::vet_with_model), to show what that check costs.
// Needs root, overlay, erofs and mkfs.erofs.
#include <benchmark/benchmark.h>

#include <algorithm>
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
    p.shape_run = 8;  // as the fuzzer generates them for batching
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

void count(const std::vector<ovl::TargetOutcome>& outs, std::size_t& errors, std::size_t& skipped) {
  for (const auto& out : outs) {
    if (out.kind == ovl::TargetOutcome::Kind::Error && errors++ == 0)
      std::fprintf(stderr, "harness error: %s\n", out.reason.c_str());
    if (out.kind == ovl::TargetOutcome::Kind::Skipped) ++skipped;
  }
}

// One case per mount (Target::run), or shared (run_many in windows of 32).
void run_all(benchmark::State& state, ovl::Target& t, const std::vector<ovl::Case>& cases, bool shared) {
  std::size_t errors = 0, skipped = 0;
  for (auto _ : state) {
    if (shared) {
      for (std::size_t s = 0; s < cases.size(); s += 32) {
        std::vector<const ovl::Case*> window;
        for (std::size_t i = s; i < std::min(cases.size(), s + 32); ++i) window.push_back(&cases[i]);
        count(t.run_many(window), errors, skipped);
      }
    } else {
      for (const auto& c : cases) count({t.run(c)}, errors, skipped);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cases.size()));
  state.counters["errors"] = static_cast<double>(errors);
  state.counters["skipped"] = static_cast<double>(skipped);
  if (errors) state.SkipWithError("a case ended in a harness error");
}

void erofs_counters(benchmark::State& state, const ovl::ErofsTarget& t, std::size_t cases) {
  const double n = static_cast<double>(state.iterations() * cases);
  state.counters["mkfs_s_per_image"] = t.images_built() ? t.mkfs_seconds() / static_cast<double>(t.images_built()) : 0;
  state.counters["images_per_case"] = static_cast<double>(t.images_built()) / n;
  const auto& st = t.batch_stats();
  if (st.runs) state.counters["mounts_per_case"] = static_cast<double>(st.runs) / n;
}

void BM_KernelGenerated(benchmark::State& state) {
  ovl::KernelTarget t(ovl::MountApi::Legacy);
  run_all(state, t, generated(), false);
}
BENCHMARK(BM_KernelGenerated)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ErofsGeneratedAlone(benchmark::State& state) {
  ovl::ErofsTarget t;
  run_all(state, t, generated(), false);
  erofs_counters(state, t, generated().size());
}
BENCHMARK(BM_ErofsGeneratedAlone)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ErofsGeneratedShared(benchmark::State& state) {
  ovl::ErofsTarget t;
  run_all(state, t, generated(), true);
  erofs_counters(state, t, generated().size());
}
BENCHMARK(BM_ErofsGeneratedShared)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_KernelComposefs(benchmark::State& state) {
  ovl::KernelTarget t(ovl::MountApi::Legacy);
  run_all(state, t, composefs(), false);
}
BENCHMARK(BM_KernelComposefs)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ErofsComposefsAlone(benchmark::State& state) {
  ovl::ErofsTarget t;
  run_all(state, t, composefs(), false);
  erofs_counters(state, t, composefs().size());
}
BENCHMARK(BM_ErofsComposefsAlone)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ErofsComposefsShared(benchmark::State& state) {
  ovl::ErofsTarget t;
  run_all(state, t, composefs(), true);
  erofs_counters(state, t, composefs().size());
}
BENCHMARK(BM_ErofsComposefsShared)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ErofsGeneratedSharedNoVet(benchmark::State& state) {
  ovl::ErofsOptions eo;
  eo.vet_with_model = false;
  ovl::ErofsTarget t({}, eo);
  run_all(state, t, generated(), true);
  erofs_counters(state, t, generated().size());
}
BENCHMARK(BM_ErofsGeneratedSharedNoVet)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

void BM_ErofsComposefsSharedNoVet(benchmark::State& state) {
  ovl::ErofsOptions eo;
  eo.vet_with_model = false;
  ovl::ErofsTarget t({}, eo);
  run_all(state, t, composefs(), true);
  erofs_counters(state, t, composefs().size());
}
BENCHMARK(BM_ErofsComposefsSharedNoVet)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

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
