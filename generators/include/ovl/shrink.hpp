// The shrinker over generated cases: remove layers, entries, xattrs and options while a
// property of the case (a divergence, a failing invariant) still holds.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include "ovl/gen_case.hpp"

namespace ovl::gen {

/// Every one-step simplification of g, biggest steps first: drop a layer, empty a layer, drop an
/// entry with everything under it, drop one entry, drop one xattr, drop one option, simplify a
/// value. Each candidate is again a valid GenCase (to_case never fails on it).
std::vector<GenCase> shrink_candidates(const GenCase& g);

/// What a shrink run did.
struct ShrinkStats {
  std::size_t tries = 0;   // candidates tested
  std::size_t steps = 0;   // candidates accepted
  bool exhausted = false;  // stopped at max_tries rather than at a local minimum
};

/// Greedy minimisation: repeatedly replaces g by the first candidate for which keep() holds,
/// until none does (a local minimum) or max_tries candidates were tested.
GenCase shrink(GenCase g, const std::function<bool(const GenCase&)>& keep, std::size_t max_tries = 3000,
               ShrinkStats* stats = nullptr);

/// A measure of size that every accepted shrink step decreases: layers, entries, xattrs, options.
std::size_t case_weight(const GenCase& g);

}  // namespace ovl::gen
