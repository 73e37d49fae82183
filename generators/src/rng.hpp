// A small deterministic random source (splitmix64): the same seed gives the same cases on every
// machine and compiler, which std::uniform_int_distribution does not promise.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ovl::gen {

/// splitmix64 with helpers for picking and weighting.
struct Rng {
  std::uint64_t state = 0;

  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n); n > 0.
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  /// True with probability pct/100.
  bool chance(int pct) { return below(100) < pct; }
  /// Picks an index by integer weights.
  std::size_t weighted(const std::vector<int>& weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = below(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))]; }
};

}  // namespace ovl::gen
