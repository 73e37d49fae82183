// libFuzzer target: the clause reader of spec/overlay-lookup.md (what `ovlspec report --spec`
// reads). Every clause it returns has an id of [a-z0-9.-] that is also its map key.
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "ovl/spec_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ovl;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const SpecText s = parse_spec_text(text);
  for (const auto& [id, clause] : s.clauses) {
    fuzz::check(id == clause.id, "a clause is filed under its own id", id);
    fuzz::check(!id.empty() && id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") == std::string::npos,
                "a clause id is made of [a-z0-9.-]", id);
    fuzz::check(s.find(id) == &clause, "find() returns the clause", id);
  }
  return 0;
}
