// Full observe() of a large stack: 8 layers (1 upper + 7 lowers) x ~100,000 entries each, with
// whiteouts, xattr whiteouts, opaque dirs, dir redirects and metacopy files. Reports entries/s
// and the process's peak RSS (getrusage) as counters. BM_PredictManyLayers: ovl::predict of up to
// 500 lowers x 200 files (100,000 entries), entries/s.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdint>
#include <memory>
#include <string>

#include "ovl/model.hpp"
#include "ovl/predict.hpp"

namespace {

constexpr int kLayers = 8;
constexpr int kDirs = 1000;
constexpr int kFilesPerDir = 100;

/// Deterministic generator (splitmix64).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int pct() { return static_cast<int>(next() % 100); }
};

std::string dname(int d) { return "/d" + std::to_string(d); }

ovl::Stack make_stack() {
  ovl::Stack stack;
  Rng rng{42};
  const std::string P = "trusted.overlay.";
  for (int l = 0; l < kLayers; ++l) {
    auto layer = std::make_shared<ovl::Layer>();
    ovl::Node& root = layer->root();
    for (int d = 0; d < kDirs; ++d) {
      ovl::Node dir = ovl::Node::dir();
      int r = rng.pct();
      if (l > 0 && l < kLayers - 1 && r < 3) dir.xattrs[P + "opaque"] = "y";
      if (l < kLayers - 1 && r >= 3 && r < 5) dir.xattrs[P + "redirect"] = dname((d + 7) % kDirs);
      if (l > 0 && l < kLayers - 1 && r == 5) dir.xattrs[P + "opaque"] = "x";
      for (int f = 0; f < kFilesPerDir; ++f) {
        std::string name = "f" + std::to_string(f);
        int k = rng.pct();
        ovl::Node n;
        if (k < 3) {
          n = ovl::Node::chardev(0, 0);  // whiteout
        } else if (k < 4) {
          n = ovl::Node::file("");
          n.xattrs[P + "whiteout"] = "";
        } else if (k < 9 && l < kLayers - 1) {
          n = ovl::Node::file("");
          n.size = 4096;
          n.xattrs[P + "metacopy"] = "";
        } else if (k < 10) {
          n = ovl::Node::symlink("target" + std::to_string(f));
        } else {
          n = ovl::Node::file("layer " + std::to_string(l) + " dir " + std::to_string(d) + " file " + name);
        }
        dir.children.emplace(name, std::make_unique<ovl::Node>(std::move(n)));
      }
      root.children.emplace(dname(d).substr(1), std::make_unique<ovl::Node>(std::move(dir)));
    }
    stack.layers.push_back(ovl::StackLayer{(l == 0 ? "U" : "L" + std::to_string(l)),
                                           l == 0 ? ovl::Role::Upper : ovl::Role::Lower, std::move(layer)});
  }
  return stack;
}

void BM_ObserveFull(benchmark::State& state) {
  static const ovl::Stack stack = make_stack();
  ovl::MountConfig cfg;
  cfg.metacopy = true;
  cfg.redirect = ovl::RedirectMode::On;
  ovl::Model model(stack, cfg, ovl::Semantics{});
  std::size_t entries = 0;
  for (auto _ : state) {
    ovl::Observation o = model.observe();
    entries = o.entries.size();
    benchmark::DoNotOptimize(o);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["entries_per_s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_rss_MiB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}
BENCHMARK(BM_ObserveFull)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ResolveDeepPath(benchmark::State& state) {
  static const ovl::Stack stack = make_stack();
  ovl::MountConfig cfg;
  cfg.metacopy = true;
  ovl::Model model(stack, cfg, ovl::Semantics{});
  for (auto _ : state) benchmark::DoNotOptimize(model.resolve("/d500/f50"));
}
BENCHMARK(BM_ResolveDeepPath);

/// The hostile case of runners/tests/limits_unit_test.cpp, with `layers` lowers: each lower holds
/// 200 files of its own spread over 20 dirs, so every dir merges all the lowers.
ovl::Case many_layers_case(int layers) {
  ovl::Case c;
  c.name = "many-layers";
  c.options = "lowerdir=";
  for (int i = 0; i < layers; ++i) {
    auto l = std::make_shared<ovl::Layer>();
    for (int k = 0; k < 200; ++k)
      l->put("/d" + std::to_string(k % 20) + "/f" + std::to_string(i) + "-" + std::to_string(k), ovl::Node::file("x"));
    c.options += (i ? ":L" : "L") + std::to_string(i);
    c.layers.emplace_back("L" + std::to_string(i), std::move(l));
  }
  return c;
}

/// ovl::predict (observation and clause map) of `layers` lowers x 200 files.
void BM_PredictManyLayers(benchmark::State& state) {
  const ovl::Case c = many_layers_case(static_cast<int>(state.range(0)));
  std::size_t entries = 0;
  for (auto _ : state) {
    ovl::Prediction p = ovl::predict(c, ovl::Semantics{});
    entries = p.observation.entries.size();
    benchmark::DoNotOptimize(p);
  }
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["entries_per_s"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PredictManyLayers)->Arg(50)->Arg(100)->Arg(200)->Arg(500)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
