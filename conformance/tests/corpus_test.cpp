// Traceability of the corpus (label `unit`): every spec clause has a case, every case names only
// existing clauses, the corpus is big enough, every file is canonical and round-trips through the
// printer, and every case's `expect` lines hold in the model.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "ovl/case_format.hpp"
#include "ovl/predict.hpp"

namespace ovl {
namespace {

const std::filesystem::path kSource = OVLSPEC_SOURCE_DIR;
const std::filesystem::path kCases = kSource / "conformance" / "cases";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The clause ids of one spec file: every `### [id] Title` heading.
std::set<std::string> clauses_of(const std::filesystem::path& file) {
  std::set<std::string> ids;
  std::istringstream in(slurp(file));
  std::regex heading(R"(^### \[([A-Za-z0-9._+-]+)\] )");
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, heading)) ids.insert(m[1]);
  return ids;
}

/// The clauses of spec/overlay-lookup.md and of every proposal in spec/proposals/.
std::set<std::string> spec_clauses() {
  std::set<std::string> ids = clauses_of(kSource / "spec" / "overlay-lookup.md");
  std::filesystem::path proposals = kSource / "spec" / "proposals";
  if (std::filesystem::is_directory(proposals))
    for (const auto& e : std::filesystem::directory_iterator(proposals))
      if (e.path().extension() == ".md") {
        std::set<std::string> more = clauses_of(e.path());
        ids.insert(more.begin(), more.end());
      }
  return ids;
}

const std::vector<Case>& corpus() {
  static const std::vector<Case> cases = load_corpus(kCases);
  return cases;
}

TEST(Corpus, SpecHasClauses) {
  EXPECT_GE(clauses_of(kSource / "spec" / "overlay-lookup.md").size(), 50u);
  EXPECT_GE(spec_clauses().size(), clauses_of(kSource / "spec" / "overlay-lookup.md").size());
}

TEST(Corpus, HasAtLeast200Cases) { EXPECT_GE(corpus().size(), 200u); }

TEST(Corpus, EveryClauseHasACase) {
  std::set<std::string> covered;
  for (const Case& c : corpus()) covered.insert(c.clauses.begin(), c.clauses.end());
  for (const std::string& id : spec_clauses()) EXPECT_TRUE(covered.count(id)) << "no case names clause [" << id << "]";
}

TEST(Corpus, EveryCaseNamesOnlyExistingClauses) {
  std::set<std::string> ids = spec_clauses();
  for (const Case& c : corpus())
    for (const std::string& id : c.clauses)
      EXPECT_TRUE(ids.count(id)) << c.source_file << ": clause [" << id << "] is not in spec/overlay-lookup.md or spec/proposals/";
}

TEST(Corpus, FileNameMatchesCaseName) {
  for (const Case& c : corpus()) {
    std::filesystem::path rel = std::filesystem::relative(c.source_file, kCases);
    rel.replace_extension();
    EXPECT_EQ(rel.generic_string(), c.name) << c.source_file;
  }
}

TEST(Corpus, EveryCaseHasExpectationsAndADescription) {
  for (const Case& c : corpus()) {
    EXPECT_FALSE(c.expects.empty()) << c.source_file << ": no expect line";
    EXPECT_FALSE(c.description.empty()) << c.source_file << ": no description comment";
  }
}

TEST(Corpus, EveryFileIsCanonicalAndRoundTrips) {
  for (const Case& c : corpus()) {
    std::string text = slurp(c.source_file);
    std::string printed = print_case(c);
    EXPECT_EQ(printed, text) << c.source_file << " is not in canonical form (run ovl_fmt on it)";
    std::string why;
    Case again = parse_case(printed, c.source_file);
    EXPECT_TRUE(same_case(again, c, &why)) << c.source_file << ": parse(print(c)) != c: " << why;
  }
}

/// Cases whose kernel behaviour the spec says the model does not reproduce, with the clause
/// that says so. The test requires them to still fail in the model, so that a fixed model
/// forces this list to shrink.
/// (Empty since the model learnt trap inodes, [lookup.trap].)
const std::map<std::string, std::string> kModelGaps = {};

class CorpusInModel : public ::testing::TestWithParam<std::size_t> {};

TEST_P(CorpusInModel, ExpectationsHold) {
  const Case& c = corpus()[GetParam()];
  std::string proposals;
  for (const auto& s : c.semantics) proposals += (proposals.empty() ? "" : ",") + s;
  std::optional<Semantics> sem = Semantics::parse(proposals.empty() ? "kernel" : proposals, KernelVersion{6, 18});
  ASSERT_TRUE(sem) << c.source_file << ": unknown semantics " << proposals;
  Prediction p = predict(c, *sem);
  std::vector<std::string> failures = check_expectations(c, p.observation);
  std::string all;
  for (const auto& f : failures) all += f + "\n";
  auto gap = kModelGaps.find(c.name);
  if (gap != kModelGaps.end()) {
    EXPECT_FALSE(failures.empty()) << c.name << " now holds in the model; remove it from kModelGaps";
    std::cout << "known model gap, " << gap->second << ":\n" << all;
    return;
  }
  EXPECT_TRUE(failures.empty()) << all;
}

std::string case_test_name(const ::testing::TestParamInfo<std::size_t>& info) {
  std::string n = corpus()[info.param].name;
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

std::vector<std::size_t> indices() {
  std::vector<std::size_t> v(corpus().size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
  return v;
}

INSTANTIATE_TEST_SUITE_P(Corpus, CorpusInModel, ::testing::ValuesIn(indices()), case_test_name);

}  // namespace
}  // namespace ovl
