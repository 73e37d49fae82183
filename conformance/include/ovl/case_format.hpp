// The `.ovl` case file: parser, printer, corpus loader and expectation checker (conformance/README.md).
#pragma once
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/observation.hpp"

namespace ovl {

/// A syntax or validity error in a case file, at FILE:LINE:COL ("expected …, got …").
class CaseParseError : public std::runtime_error {
 public:
  CaseParseError(std::string file, int line, int column, const std::string& expected, const std::string& got);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& expected() const { return expected_; }
  const std::string& got() const { return got_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string expected_;
  std::string got_;
};

/// Parses one case from text; `filename` is used in errors and stored in Case::source_file.
Case parse_case(std::string_view text, std::string_view filename);
/// Reads and parses a case file (an unreadable file is a CaseParseError at line 0).
Case parse_case_file(const std::filesystem::path& path);
/// The canonical text of a case; throws std::invalid_argument for what the format cannot express
/// (a newline in the options, a layer name with '/', …).
std::string print_case(const Case& c);
/// Every `**/*.ovl` below dir, parsed and sorted by case name. Throws CaseParseError on the first
/// bad file and std::runtime_error on a duplicate case name or a missing directory.
std::vector<Case> load_corpus(const std::filesystem::path& dir);
/// The unmet `expect` lines of a case against an Observation, one human-readable line each
/// ("FILE:LINE: expect PATH: FIELD: expected X, got Y"); empty when all hold.
std::vector<std::string> check_expectations(const Case& c, const Observation& obs);
/// The bytes a `file` entry without content gets: "<layer>:<path>\n".
std::string default_content(std::string_view layer, std::string_view path);
/// Structural equality of two cases, ignoring source_file and expectation line numbers; on a
/// difference, `why` (if given) names the first one.
bool same_case(const Case& a, const Case& b, std::string* why = nullptr);
/// A value as the format writes it: a bare word if it is one, else a quoted string with escapes.
std::string quote_value(std::string_view bytes, bool allow_bare);

}  // namespace ovl
