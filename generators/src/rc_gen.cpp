// case_gen: generate_case inside RapidCheck, with the project's shrinker as the shrink tree.
#include "ovl/rc_gen.hpp"

#include <algorithm>

#include "ovl/shrink.hpp"

namespace ovl::gen {

rc::Gen<GenCase> case_gen(GenParams params) {
  return rc::Gen<GenCase>([params](const rc::Random& random, int size) {
    rc::Random r = random;
    std::uint64_t seed = r.next();
    GenParams p = params;
    p.max_entries = std::max(1, params.max_entries * std::clamp(size, 10, 100) / 100);
    return rc::shrinkable::shrinkRecur(generate_case(seed, p), [](const GenCase& g) {
      return rc::seq::fromContainer(shrink_candidates(g));
    });
  });
}

}  // namespace ovl::gen
