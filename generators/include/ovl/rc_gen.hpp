// RapidCheck generators of cases: the seeded generator as an rc::Gen whose shrink tree is the
// shrinker of shrink.hpp, so a failing property reports a minimal, still valid case.
#pragma once
#include <rapidcheck.h>

#include "ovl/gen_case.hpp"

namespace ovl::gen {

/// Cases drawn with generate_case(seed from RapidCheck's Random, params); the RapidCheck size
/// (0..100) scales the number of entries per layer. Shrinks with shrink_candidates.
rc::Gen<GenCase> case_gen(GenParams params = {});

}  // namespace ovl::gen

namespace rc {

/// `rc::gen::arbitrary<GenCase>()`: case_gen() with the default parameters.
template <>
struct Arbitrary<ovl::gen::GenCase> {
  static Gen<ovl::gen::GenCase> arbitrary() { return ovl::gen::case_gen(); }
};

}  // namespace rc

namespace ovl::gen {
/// RapidCheck prints counterexamples with showValue: the describe() text.
inline void showValue(const GenCase& g, std::ostream& os) { os << describe(g); }
}  // namespace ovl::gen
