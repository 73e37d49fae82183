// libFuzzer target: the .ovl case format. Whatever parses must print, reparse to the same case,
// and print to the same text again (conformance/README.md "Canonical form").
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz_input.hpp"
#include "ovl/case_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ovl;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Case c;
  try {
    c = parse_case(text, "fuzz.ovl");
  } catch (const CaseParseError& e) {
    fuzz::check(e.line() >= 0 && e.column() >= 0, "a parse error has a non-negative line and column", e.what());
    return 0;  // refused with a located error: fine
  }
  std::string printed;
  try {
    printed = print_case(c);
  } catch (const std::invalid_argument& e) {
    fuzz::fail("a parsed case cannot be printed", e.what());
  }
  Case again;
  try {
    again = parse_case(printed, "printed.ovl");
  } catch (const CaseParseError& e) {
    fuzz::fail("the printed case does not parse", std::string(e.what()) + "\n--- printed:\n" + printed);
  }
  std::string why;
  fuzz::check(same_case(c, again, &why), "parse(print(c)) != c", why + "\n--- printed:\n" + printed);
  const std::string reprinted = print_case(again);
  fuzz::check(reprinted == printed, "print is not a fixpoint", "--- first:\n" + printed + "--- second:\n" + reprinted);
  return 0;
}
