// Each writer's output parses (JUnit XML, KTAP grammar, Markdown tables) and shows a failing
// result as failing, a skip as a skip with its reason, an error as an error.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "ktap_check.hpp"
#include "ovl/report_writers.hpp"
#include "ovl/tally.hpp"
#include "sample_results.hpp"

namespace ovl {
namespace {

using testing_ktap::KtapReader;
using testing_ktap::KtapTest;

std::filesystem::path temp_dir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("ovl_reports_" + tag + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "popen failed";
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  *status = ::pclose(p);
  return out;
}

// suite \t classname \t name -> verdict, as the strict Python reader saw the JUnit file.
std::map<std::string, std::string> junit_verdicts(const std::string& xml, std::string* error) {
  auto dir = temp_dir("junit");
  std::ofstream(dir / "junit.xml") << xml;
  int status = 0;
  std::string out = run("/usr/bin/python3 " OVLSPEC_TEST_SUPPORT_DIR "/check_junit.py " + (dir / "junit.xml").string(), &status);
  std::filesystem::remove_all(dir);
  std::map<std::string, std::string> v;
  if (status != 0) {
    *error = out.empty() ? "check_junit.py failed to run" : out;
    return v;
  }
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.rfind('\t');
    v[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return v;
}

TEST(Junit, WellFormedAndVerdictsMatch) {
  ResultsFile f = testing_sample_results();
  std::string error;
  auto v = junit_verdicts(render_junit(f), &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(v.size(), 4u);
  EXPECT_EQ(v["kernel\twhiteout\twhiteout/chardev-hides-lower"], "pass");
  EXPECT_EQ(v["kernel\tdata\tdata-only/capture-by-regular-lower"], "fail");
  EXPECT_EQ(v["fuse-overlayfs\twhiteout\twhiteout/chardev-hides-lower"], "skip");
  EXPECT_EQ(v["kernel\tgenerated\tredirect/gen-7"], "error");
}

TEST(Junit, FailureCarriesDivergencesAndEscapes) {
  ResultsFile f = testing_sample_results();
  std::string x = render_junit(f);
  EXPECT_NE(x.find("/foo content: model aaaa&lt;&amp;&gt;&quot;, kernel bbbb [data.redirect.order, metacopy.data]"),
            std::string::npos)
      << x;
  EXPECT_NE(x.find("<skipped message=\"fuse-overlayfs is not installed\"/>"), std::string::npos);
  EXPECT_NE(x.find("<error message=\"timeout after 30 s\""), std::string::npos);
  // Bytes XML forbids never reach the file.
  f.results[1].divergences[0].target = std::string("a\x01\x02\xff", 4);
  f.results[1].case_name = "bad\x1b name";
  std::string error;
  auto v = junit_verdicts(render_junit(f), &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(v["kernel\tdata\tbad\xEF\xBF\xBD name"], "fail");
}

TEST(Junit, CheckerRejectsBrokenXml) {
  // The checker itself must be able to fail.
  std::string error;
  junit_verdicts("<testsuites><testsuite name=\"k\"><testcase name=\"a&b\"/></testsuite></testsuites>", &error);
  EXPECT_NE(error.find("not well-formed"), std::string::npos) << error;
  error.clear();
  junit_verdicts("<testsuites tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"0\"><testsuite name=\"k\" "
                 "tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\"><testcase classname=\"c\" name=\"a\" time=\"0\"/>"
                 "</testsuite></testsuites>",
                 &error);
  EXPECT_NE(error.find("testsuites says tests=2"), std::string::npos) << error;
  error.clear();
  junit_verdicts("<testsuites tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\"><testsuite name=\"k\" "
                 "tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\"><testcase name=\"a\" time=\"0\"/>"
                 "</testsuite></testsuites>",
                 &error);
  EXPECT_NE(error.find("has no classname"), std::string::npos) << error;
}

TEST(Ktap, GrammarAndVerdicts) {
  ResultsFile f = testing_sample_results();
  std::string k = render_ktap(f);
  std::vector<KtapTest> top;
  ASSERT_NO_THROW(top = KtapReader(k).read()) << k;
  ASSERT_EQ(top.size(), 3u) << k;  // model, kernel, fuse-overlayfs
  EXPECT_EQ(top[0].name, "model");
  EXPECT_TRUE(top[0].ok);
  EXPECT_EQ(top[0].directive, "SKIP");  // no results at all: never a silent pass
  EXPECT_EQ(top[1].name, "kernel");
  EXPECT_FALSE(top[1].ok);
  ASSERT_EQ(top[1].subtests.size(), 3u);
  EXPECT_TRUE(top[1].subtests[0].ok);
  EXPECT_EQ(top[1].subtests[0].name, "whiteout/chardev-hides-lower");
  EXPECT_FALSE(top[1].subtests[1].ok);
  EXPECT_EQ(top[1].subtests[1].name, "data-only/capture-by-regular-lower");
  EXPECT_FALSE(top[1].subtests[2].ok);
  EXPECT_EQ(top[1].subtests[2].directive, "ERROR");
  EXPECT_EQ(top[1].subtests[2].diagnostic, "timeout after 30 s");
  EXPECT_EQ(top[2].name, "fuse-overlayfs");
  EXPECT_TRUE(top[2].ok);
  EXPECT_EQ(top[2].directive, "SKIP");
  EXPECT_EQ(top[2].diagnostic, "fuse-overlayfs is not installed");
  ASSERT_EQ(top[2].subtests.size(), 1u);
  EXPECT_EQ(top[2].subtests[0].directive, "SKIP");
  EXPECT_NE(k.find("  # /foo content: model aaaa<&>\", kernel bbbb\n  # expectation failed: conformance/cases/data-only/capture.ovl:9: "
                   "/foo content: expected sha256(\"x\"), got bbbb\n  not ok 2 data-only/capture-by-regular-lower\n"),
            std::string::npos)
      << k;
}

TEST(Ktap, NamesWithHashOrNewlineStayOneLine) {
  ResultsFile f = testing_sample_results();
  f.results[0].case_name = "odd # name\nsecond line";
  f.results[2].reason = "no\nnewlines # here";
  std::string k = render_ktap(f);
  std::vector<KtapTest> top;
  ASSERT_NO_THROW(top = KtapReader(k).read()) << k;
  EXPECT_EQ(top[1].subtests[0].name, "odd _ name\\nsecond line");
  EXPECT_EQ(top[2].subtests[0].diagnostic, "no\\nnewlines _ here");
}

TEST(Ktap, ReaderRejectsBadGrammar) {
  EXPECT_THROW(KtapReader("KTAP version 1\n1..2\nok 1 a\n").read(), std::runtime_error);
  EXPECT_THROW(KtapReader("KTAP version 1\n1..1\nok 2 a\n").read(), std::runtime_error);
  EXPECT_THROW(KtapReader("TAP version 13\n1..1\nok 1 a\n").read(), std::runtime_error);
  EXPECT_THROW(KtapReader("KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  not ok 1 x\nok 1 a\n").read(),
               std::runtime_error);
  EXPECT_NO_THROW(KtapReader("KTAP version 1\n1..1\n  KTAP version 1\n  1..1\n  not ok 1 x\nnot ok 1 a\n").read());
}

// The rows of the Markdown table that starts at the line `header`, split into cells.
std::vector<std::vector<std::string>> md_table(const std::string& md, const std::string& header) {
  std::vector<std::vector<std::string>> rows;
  auto at = md.find(header + "\n");
  if (at == std::string::npos) return rows;
  std::istringstream in(md.substr(at));
  std::string line;
  while (std::getline(in, line) && !line.empty() && line[0] == '|') {
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
        cell += '|';
        ++i;
      } else if (line[i] == '|') {
        auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
        cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

TEST(Markdown, TablesAreRectangularAndShowTheFailure) {
  ResultsFile f = testing_sample_results();
  f.results[1].divergences[0].model = "pipe|inside";
  std::string md = render_markdown(f);
  auto targets = md_table(md, "| target | level | pass | fail | skip | error | verdict |");
  ASSERT_EQ(targets.size(), 5u) << md;  // header, rule, three targets
  for (const auto& r : targets) EXPECT_EQ(r.size(), 7u) << md;
  EXPECT_EQ(targets[3][0], "kernel");
  EXPECT_EQ(targets[3][3], "1");
  EXPECT_EQ(targets[3][6], "**FAIL**");
  EXPECT_EQ(targets[4][6], "unavailable: fuse-overlayfs is not installed");
  auto clauses = md_table(md, "| clause | model | kernel | fuse-overlayfs |");
  ASSERT_GE(clauses.size(), 3u) << md;
  bool saw = false;
  for (const auto& r : clauses) {
    EXPECT_EQ(r.size(), 4u);
    if (r[0] == "`data.redirect.order`") {
      saw = true;
      EXPECT_EQ(r[1], "-");
      EXPECT_EQ(r[2], "FAIL 1/1");
    }
    if (r[0] == "`whiteout.chardev`") {
      EXPECT_EQ(r[3], "skip 1");
    }
  }
  EXPECT_TRUE(saw) << md;
  auto div = md_table(md, "| path | field | model | kernel | clauses |");
  ASSERT_EQ(div.size(), 3u) << md;
  EXPECT_EQ(div[2][2], "pipe|inside");
  EXPECT_NE(md.find("### kernel: data-only/capture-by-regular-lower (fail)"), std::string::npos);
  EXPECT_NE(md.find("### kernel: redirect/gen-7 (error)"), std::string::npos);
  EXPECT_NE(md.find("```sh\n#!/bin/sh\n"), std::string::npos);
  EXPECT_EQ(md.find("whiteout/chardev-hides-lower (pass)"), std::string::npos);
}

TEST(Markdown, AllPassingSaysConforms) {
  ResultsFile f = testing_sample_results();
  f.results = {f.results[0]};
  std::string md = render_markdown(f);
  EXPECT_EQ(md.rfind("# ovlspec run: conforms\n", 0), 0u) << md;
  EXPECT_NE(md.find("## Failures\n\nNone.\n"), std::string::npos);
}

TEST(Tally, CountsPerClauseAndNeverPassesAllSkipped) {
  ResultsFile f = testing_sample_results();
  Tally t = tally(f);
  EXPECT_EQ(t.total.pass, 1);
  EXPECT_EQ(t.total.fail, 1);
  EXPECT_EQ(t.total.skip, 1);
  EXPECT_EQ(t.total.error, 1);
  EXPECT_EQ(t.clause("whiteout.chardev", "fuse-overlayfs").overall(), Verdict::Skip);
  EXPECT_EQ(t.clause("lookup.negative", "kernel").pass, 1);
  EXPECT_EQ(t.clause("generated", "kernel").error, 1);
  EXPECT_EQ(t.section("data", "kernel").fail, 1);
  Counts c;
  c.add(Verdict::Pass);
  c.add(Verdict::Error);
  EXPECT_EQ(c.overall(), Verdict::Error);
  c.add(Verdict::Fail);
  EXPECT_EQ(c.overall(), Verdict::Fail);
}

TEST(SpecText, ParsesClausesUnderSections) {
  SpecText s = parse_spec_text(
      "# Title\n\n## 7. Data-only layers\n\n### [data.redirect.order] Regular layers first\nA **regular** `layer`\nwins.\n\n"
      "#### Rationale\nBecause.\n### [data.reset] Reset\n\nText.\n## 8. Verity\nnot a clause\n");
  ASSERT_EQ(s.clauses.size(), 2u);
  const SpecClause* c = s.find("data.redirect.order");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->title, "Regular layers first");
  EXPECT_EQ(c->section, "7. Data-only layers");
  EXPECT_EQ(c->body, "A **regular** `layer`\nwins.\n\n#### Rationale\nBecause.");
  EXPECT_EQ(s.find("data.reset")->body, "Text.");
  EXPECT_EQ(s.find("verity"), nullptr);
}

TEST(SpecText, ReadsTheRealSpec) {
  std::ifstream in(OVLSPEC_SOURCE_DIR "/spec/overlay-lookup.md");
  ASSERT_TRUE(in) << "spec/overlay-lookup.md not found";
  std::stringstream ss;
  ss << in.rdbuf();
  SpecText s = parse_spec_text(ss.str());
  EXPECT_GT(s.clauses.size(), 40u);
  ASSERT_NE(s.find("stack.order"), nullptr);
  EXPECT_FALSE(s.find("stack.order")->section.empty());
}

TEST(SpecText, LoadsProposalsBesideTheSpec) {
  SpecText s = load_spec_text(OVLSPEC_SOURCE_DIR "/spec/overlay-lookup.md");
  EXPECT_NE(s.find("stack.order"), nullptr);
  EXPECT_NE(s.find("proposal.dslash-redirect.resolve"), nullptr);
  EXPECT_THROW(load_spec_text("/nonexistent/spec.md"), std::runtime_error);
}

TEST(WriteReports, WritesAllFour) {
  auto dir = temp_dir("write");
  write_reports(testing_sample_results(), dir, SpecText{});
  for (const char* name : kReportFiles) EXPECT_GT(std::filesystem::file_size(dir / name), 100u) << name;
  std::filesystem::remove_all(dir);
  EXPECT_THROW(write_reports(testing_sample_results(), dir / "missing", SpecText{}), std::runtime_error);
}

}  // namespace
}  // namespace ovl
