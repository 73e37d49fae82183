// libFuzzer target: results.jsonl as `ovlspec report` reads it, and the four report renderers.
// A file that parses must render, and writing it back line by line must give a file that parses
// to the same lines again (a fixpoint of results_header_line / results_line).
#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz_input.hpp"
#include "ovl/report_writers.hpp"
#include "ovl/results_file.hpp"
#include "ovl/spec_text.hpp"
#include "ovl/tally.hpp"

namespace {

using namespace ovl;

/// The spec text the HTML report quotes: the real one when the source tree is there.
const SpecText& spec() {
  static const SpecText s = [] {
    try {
      return load_spec_text(std::filesystem::path(OVLSPEC_SOURCE_DIR) / "spec/overlay-lookup.md");
    } catch (const std::exception&) {
      return SpecText{};
    }
  }();
  return s;
}

std::string write_back(const ResultsFile& f) {
  std::string text = results_header_line(f.header) + "\n";
  for (const Result& r : f.results) text += results_line(r) + "\n";
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ResultsFile f;
  try {
    f = parse_results(text, "results.jsonl");
  } catch (const ResultsParseError& e) {
    fuzz::check(std::string_view(e.what()).starts_with("results.jsonl:"), "a parse error names the file and line",
                e.what());
    return 0;
  }
  (void)tally(f);
  (void)render_junit(f);
  (void)render_ktap(f);
  (void)render_markdown(f);
  (void)render_html(f, spec());

  const std::string once = write_back(f);
  ResultsFile again;
  try {
    again = parse_results(once, "written.jsonl");
  } catch (const ResultsParseError& e) {
    fuzz::fail("results written back do not parse", std::string(e.what()) + "\n" + once);
  }
  fuzz::check(again.header == f.header, "the header survives writing back", once);
  fuzz::check(again.results.size() == f.results.size(), "every result survives writing back", once);
  fuzz::check(write_back(again) == once, "writing back is a fixpoint", once);
  return 0;
}
