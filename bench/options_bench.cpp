// The option language: how fast the model answers generated option inputs, and how many inputs
// per second the differential test holds the kernel to (both mount APIs), measured in one run.
#include <benchmark/benchmark.h>

#include "ovl/option_gen.hpp"
#include "ovl/option_gen_kernel.hpp"
#include "ovl/options.hpp"

namespace {

void BM_ModelParsesGeneratedInputs(benchmark::State& state) {
  const auto inputs = ovl::gen::generate_option_inputs(20261129, 2000);
  ovl::ParseContext pc;  // no probe: every path is an existing directory of its own
  std::size_t done = 0;
  for (auto _ : state) {
    for (const auto& in : inputs) {
      auto r = ovl::parse_mount_options(in.legacy(), pc);
      benchmark::DoNotOptimize(r);
    }
    done += inputs.size();
  }
  state.counters["inputs/s"] = benchmark::Counter(double(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ModelParsesGeneratedInputs)->Unit(benchmark::kMillisecond);

// Arg 0: legacy mount(2); arg 1: fsopen/fsconfig. Needs root and overlay.
void BM_DifferentialAgainstKernel(benchmark::State& state) {
  const bool fsconfig = state.range(0) == 1;
  std::size_t done = 0, differ = 0;
  for (auto _ : state) {
    auto rep = ovl::gen::run_option_check(7, 300, !fsconfig, fsconfig, 0, false);
    done += rep.inputs;
    differ += rep.disagreements;
  }
  state.counters["inputs/s"] = benchmark::Counter(double(done), benchmark::Counter::kIsRate);
  state.counters["disagreements"] = double(differ);
}
BENCHMARK(BM_DifferentialAgainstKernel)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
