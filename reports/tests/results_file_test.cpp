// results.jsonl: round trip of header and records, and errors with file:line for bad lines.
#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ovl/results_file.hpp"
#include "sample_results.hpp"

namespace ovl {
namespace {

TEST(Verdict, NamesRoundTrip) {
  for (Verdict v : {Verdict::Pass, Verdict::Fail, Verdict::Skip, Verdict::Error})
    EXPECT_EQ(verdict_from_name(verdict_name(v)), v);
  EXPECT_EQ(verdict_name(Verdict::Skip), "skip");
  EXPECT_FALSE(verdict_from_name("passed"));
}

TEST(Result, SectionIsFirstClausePrefix) {
  Result r;
  EXPECT_EQ(r.section(), "unclassified");
  r.clauses = {"data.redirect.order", "metacopy.data"};
  EXPECT_EQ(r.section(), "data");
  r.clauses = {"proposal.dslash-redirect.resolve"};
  EXPECT_EQ(r.section(), "proposal.dslash-redirect");
  r.clauses = {"stack"};
  EXPECT_EQ(r.section(), "stack");
  r.clauses = {};
  r.origin = "generated";
  EXPECT_EQ(r.section(), "generated");
}

TEST(ResultsFile, RoundTripThroughDisk) {
  ResultsFile sample = testing_sample_results();
  auto dir = std::filesystem::temp_directory_path() / ("ovl_reports_rt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "results.jsonl";
  {
    ResultsWriter w(path, sample.header);
    for (const auto& r : sample.results) w.append(r);
    EXPECT_EQ(w.count(), sample.results.size());
    // Flushed per line: readable while the writer is still open.
    ResultsFile partial = read_results(path);
    EXPECT_EQ(partial.results.size(), sample.results.size());
  }
  ResultsFile back = read_results(path);
  EXPECT_EQ(back.header, sample.header);
  ASSERT_EQ(back.results.size(), sample.results.size());
  for (std::size_t i = 0; i < back.results.size(); ++i) {
    // Equal JSON means every field survived.
    EXPECT_EQ(to_json(back.results[i]), to_json(sample.results[i])) << i;
    EXPECT_EQ(back.results[i].verdict, sample.results[i].verdict);
  }
  std::filesystem::remove_all(dir);
}

TEST(Result, VersionIsTheProjectVersion) {
  // x.y.z from CMake's project(VERSION …), never "unknown" in a real build.
  EXPECT_TRUE(std::regex_match(ovlspec_version(), std::regex(R"([0-9]+\.[0-9]+\.[0-9]+)"))) << ovlspec_version();
}

TEST(ResultsFile, OneObjectPerLineHeaderFirst) {
  ResultsFile sample = testing_sample_results();
  std::string h = results_header_line(sample.header);
  EXPECT_EQ(h.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(h);
  EXPECT_EQ(j["schema"], kResultsSchema);
  EXPECT_EQ(j["record"], "header");
  EXPECT_EQ(j["targets"][2]["available"], false);
  std::string l = results_line(sample.results[1]);
  EXPECT_EQ(l.find('\n'), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(l)["verdict"], "fail");
}

std::string error_of(const std::string& text) {
  try {
    parse_results(text, "r.jsonl");
  } catch (const ResultsParseError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ResultsFile, MalformedLinesNameFileAndLine) {
  ResultsFile sample = testing_sample_results();
  std::string h = results_header_line(sample.header) + "\n";
  std::string ok = results_line(sample.results[0]) + "\n";
  EXPECT_EQ(error_of(""), "r.jsonl:0: empty results file: expected the header line");
  EXPECT_NE(error_of(ok).find("r.jsonl:1: expected the header line"), std::string::npos) << error_of(ok);
  EXPECT_NE(error_of(h + ok + "{\"record\":\"result\",\n").find("r.jsonl:3: expected one JSON object per line"),
            std::string::npos);
  EXPECT_NE(error_of(h + "\n" + ok + "[1,2]\n").find("r.jsonl:4: expected a JSON object"), std::string::npos);
  std::string bad_verdict = ok;
  bad_verdict.replace(bad_verdict.find("\"pass\""), 6, "\"passed\"");
  EXPECT_NE(error_of(h + bad_verdict).find("r.jsonl:2: result: \"verdict\" must be one of pass, fail, skip, error"),
            std::string::npos)
      << error_of(h + bad_verdict);
  EXPECT_NE(error_of(h + h).find("r.jsonl:2: a second header line"), std::string::npos);
  // An interrupted write leaves an unterminated last line.
  std::string cut = h + ok.substr(0, ok.size() / 2);
  EXPECT_NE(error_of(cut).find("incomplete"), std::string::npos) << error_of(cut);
  EXPECT_NE(error_of(h + "{\"record\":\"result\",\"case\":\"x\",\"target\":\"kernel\",\"verdict\":\"pass\","
                         "\"clauses\":[],\"model\":{\"mount\":7}}\n")
                .find("r.jsonl:2: result: bad observation"),
            std::string::npos);
  EXPECT_NE(error_of(h + "{\"record\":\"result\",\"target\":\"kernel\"}\n").find("r.jsonl:2: result: missing field \"case\""),
            std::string::npos);
  // A number too large for a double is an out_of_range, not a parse_error, in nlohmann::json
  // (found by fuzz/fuzz_results.cpp: regressions/results/number-overflow).
  EXPECT_NE(error_of(h + "{\"record\":\"result\",\"seconds\":18446E44073709551615}\n")
                .find("r.jsonl:2: expected one JSON object per line"),
            std::string::npos);
  EXPECT_EQ(error_of(h + ok), "no error");
}

TEST(ResultsFile, UnreadableFileIsAClearError) {
  try {
    read_results("/nonexistent/results.jsonl");
    FAIL();
  } catch (const ResultsParseError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/results.jsonl:0: cannot read"), std::string::npos);
  }
}

}  // namespace
}  // namespace ovl
