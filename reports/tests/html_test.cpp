// index.html in headless Chromium: the page loads, its script runs to the end, the matrix and the
// failure are in the DOM, and the console stays silent. Also the static structure of the page.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "ovl/report_writers.hpp"
#include "sample_results.hpp"

namespace ovl {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SpecText real_spec() { return parse_spec_text(slurp(OVLSPEC_SOURCE_DIR "/spec/overlay-lookup.md")); }

/// What headless Chromium made of a page: the DOM after scripts ran, and the console lines.
struct Loaded {
  int status = -1;
  std::string dom;
  std::vector<std::string> console;  // "INFO:CONSOLE" lines: console.* calls and uncaught errors
};

Loaded load_in_chromium(const std::filesystem::path& html, const std::filesystem::path& work,
                         const std::string& fragment = "") {
  Loaded out;
  auto profile = work / "profile";
  std::filesystem::create_directories(profile);
  std::string cmd = std::string("timeout 120 ") + kChromium +
                    " --headless --no-sandbox --disable-gpu --disable-background-networking"
                    " --disable-component-update --disable-sync --no-first-run --user-data-dir=" +
                    profile.string() + " --enable-logging=stderr --v=0 --dump-dom 'file://" + html.string() + fragment + "' >" +
                    (work / "dom.html").string() + " 2>" + (work / "stderr.txt").string();
  out.status = std::system(cmd.c_str());
  out.dom = slurp(work / "dom.html");
  std::istringstream err(slurp(work / "stderr.txt"));
  std::string line;
  while (std::getline(err, line))
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos)
      out.console.push_back(line);
  return out;
}

std::filesystem::path fresh_dir(const std::string& tag) {
  auto dir = std::filesystem::temp_directory_path() / ("ovl_html_" + tag + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

int count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(HtmlChromium, DetectorSeesAScriptError) {
  // The negative control: the same harness must report a broken page.
  ASSERT_TRUE(std::filesystem::exists(kChromium)) << kChromium << " is required (scripts/install-deps installs it)";
  auto dir = fresh_dir("bad");
  std::ofstream(dir / "bad.html") << "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>";
  Loaded l = load_in_chromium(dir / "bad.html", dir);
  EXPECT_EQ(l.status, 0);
  ASSERT_EQ(l.console.size(), 1u);
  EXPECT_NE(l.console[0].find("Uncaught ReferenceError"), std::string::npos) << l.console[0];
  std::filesystem::remove_all(dir);
}

TEST(HtmlChromium, ReportLoadsShowsMatrixAndNoConsoleErrors) {
  ASSERT_TRUE(std::filesystem::exists(kChromium)) << kChromium << " is required (scripts/install-deps installs it)";
  auto dir = fresh_dir("report");
  std::ofstream(dir / "index.html") << render_html(testing_sample_results(), real_spec());
  Loaded l = load_in_chromium(dir / "index.html", dir);
  EXPECT_EQ(l.status, 0);
  for (const auto& c : l.console) ADD_FAILURE() << "console: " << c;
  // The script ran to its last statement.
  EXPECT_TRUE(std::regex_search(l.dom, std::regex(R"(<body[^>]*data-ready="1")"))) << l.dom.substr(0, 2000);
  // The matrix: a row per clause, a column per target, the failing cell marked.
  EXPECT_NE(l.dom.find("<table id=\"matrix\">"), std::string::npos);
  EXPECT_EQ(count(l.dom, "class=\"clause-row\""), 4);  // data.redirect.order, lookup.negative, whiteout.chardev, generated
  EXPECT_EQ(count(l.dom, "<td class=\"cell "), 12);
  EXPECT_TRUE(std::regex_search(
      l.dom, std::regex(R"(<td class="cell fail" data-target="kernel" data-clause="data\.redirect\.order"[^>]*>1/1 fail</td>)")))
      << l.dom;
  EXPECT_TRUE(std::regex_search(
      l.dom, std::regex(R"(<td class="cell skip" data-target="fuse-overlayfs" data-clause="whiteout\.chardev"[^>]*>1 skip</td>)")));
  // The failure, its diff table, the clause text from the spec and the reproducer.
  EXPECT_EQ(count(l.dom, "<article class=\"failure\""), 2);
  EXPECT_NE(l.dom.find("<span id=\"failures-shown\">2</span>"), std::string::npos);
  EXPECT_NE(l.dom.find("<td>aaaa&lt;&amp;&gt;\"</td><td>bbbb</td>"), std::string::npos);
  SpecText spec = real_spec();
  const SpecClause* c = spec.find("data.redirect.order");
  ASSERT_NE(c, nullptr);
  EXPECT_NE(l.dom.find("<code>[data.redirect.order]</code> " + c->title), std::string::npos);
  EXPECT_NE(l.dom.find("<pre class=\"repro\">#!/bin/sh"), std::string::npos);
  // The reproducer's markup is text, not markup.
  EXPECT_NE(l.dom.find("echo '&lt;b&gt;&amp;amp;&lt;/b&gt;'"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(HtmlChromium, FiltersFromTheUrlHideOtherTargetsAndSections) {
  ASSERT_TRUE(std::filesystem::exists(kChromium)) << kChromium << " is required (scripts/install-deps installs it)";
  auto dir = fresh_dir("filter");
  std::ofstream(dir / "index.html") << render_html(testing_sample_results(), SpecText{});
  Loaded l = load_in_chromium(dir / "index.html", dir, "#target=kernel&section=data");
  for (const auto& c : l.console) ADD_FAILURE() << "console: " << c;
  // Matrix columns of other targets and rows of other sections are hidden; the kernel's stay.
  EXPECT_TRUE(std::regex_search(l.dom, std::regex(R"(<td class="cell skip hidden" data-target="fuse-overlayfs")")));
  EXPECT_TRUE(std::regex_search(l.dom, std::regex(R"(<td class="cell fail" data-target="kernel" data-clause="data\.redirect\.order")")));
  EXPECT_TRUE(std::regex_search(l.dom, std::regex(R"(<tr class="clause-row hidden" data-section="whiteout")")));
  EXPECT_TRUE(std::regex_search(l.dom, std::regex(R"(<tr class="clause-row" data-section="data")")));
  // Of the two kernel failures only the one in section "data" is shown.
  EXPECT_NE(l.dom.find("<span id=\"failures-shown\">1</span>"), std::string::npos);
  EXPECT_TRUE(std::regex_search(l.dom, std::regex(R"(<article class="failure hidden" data-verdict="error")")));
  // An unknown value falls back to "all" instead of hiding everything.
  Loaded all = load_in_chromium(dir / "index.html", dir, "#target=nosuch");
  EXPECT_NE(all.dom.find("<span id=\"failures-shown\">2</span>"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Html, SelfContained) {
  std::string h = render_html(testing_sample_results(), real_spec());
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  // No network: no external scripts, styles, images or fonts.
  EXPECT_EQ(h.find("src="), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("http://"), std::string::npos);
  EXPECT_EQ(h.find("https://"), std::string::npos);
  EXPECT_EQ(h.find("@import"), std::string::npos);
  EXPECT_EQ(count(h, "<script>"), 1);
  EXPECT_EQ(count(h, "<style>"), 1);
}

TEST(Html, FiltersListEverySectionAndTarget) {
  std::string h = render_html(testing_sample_results(), SpecText{});
  for (const char* s : {"data", "lookup", "whiteout", "generated"})
    EXPECT_NE(h.find(std::string("<option value=\"") + s + "\">"), std::string::npos) << s;
  for (const char* t : {"model", "kernel", "fuse-overlayfs"})
    EXPECT_NE(h.find(std::string("<option value=\"") + t + "\">"), std::string::npos) << t;
  // Unknown clauses say so instead of inventing text.
  EXPECT_NE(h.find("not found in the spec text"), std::string::npos);
}

TEST(Html, AllPassingPageSaysConforms) {
  ResultsFile f = testing_sample_results();
  f.results = {f.results[0]};
  std::string h = render_html(f, SpecText{});
  EXPECT_NE(h.find("<span class=\"pass\">conforms</span>"), std::string::npos);
  EXPECT_EQ(h.find("<article"), std::string::npos);
}

}  // namespace
}  // namespace ovl
