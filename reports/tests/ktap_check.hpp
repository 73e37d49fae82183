// A strict KTAP version 1 reader for the tests: checks the line grammar of
// Documentation/dev-tools/ktap.rst and returns the test tree.
#pragma once
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace ovl::testing_ktap {

/// One test: its result line and, if it had a nested block, its subtests.
struct KtapTest {
  bool ok = false;
  int number = 0;
  std::string name;
  std::string directive;  // "SKIP", "ERROR", … or ""
  std::string diagnostic;
  std::vector<KtapTest> subtests;
};

class KtapReader {
 public:
  explicit KtapReader(const std::string& text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string::npos) throw std::runtime_error("KTAP: last line has no newline");
      lines_.push_back(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }

  /// The top-level tests; throws std::runtime_error("line N: …") on any grammar violation.
  std::vector<KtapTest> read() {
    std::vector<KtapTest> top = block(0);
    if (i_ != lines_.size()) fail("unexpected line after the top-level block");
    return top;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("line " + std::to_string(i_ + 1) + ": " + what +
                             (i_ < lines_.size() ? " [" + lines_[i_] + "]" : ""));
  }
  static std::size_t indent_of(const std::string& l) { return l.find_first_not_of(' '); }

  // Reads "KTAP version 1", "1..N" and N tests at this indentation.
  std::vector<KtapTest> block(std::size_t indent) {
    static const std::regex result_re(R"(^(ok|not ok) ([1-9][0-9]*)(?: ([^#]*[^# ]))?(?: # ?(.*))?$)");
    static const std::regex plan_re(R"(^1\.\.([0-9]+)$)");
    std::string pad(indent, ' ');
    if (i_ >= lines_.size() || lines_[i_] != pad + "KTAP version 1") fail("expected \"KTAP version 1\"");
    ++i_;
    std::smatch m;
    // Diagnostics may come before the plan.
    while (i_ < lines_.size() && lines_[i_].rfind(pad + "# ", 0) == 0) ++i_;
    std::string plan = i_ < lines_.size() && lines_[i_].rfind(pad, 0) == 0 ? lines_[i_].substr(indent) : "";
    if (!std::regex_match(plan, m, plan_re)) fail("expected the plan \"1..N\"");
    int planned = std::stoi(m[1]);
    ++i_;
    std::vector<KtapTest> tests;
    std::vector<KtapTest> pending_children;
    bool have_children = false;
    while (i_ < lines_.size()) {
      const std::string& l = lines_[i_];
      std::size_t ind = indent_of(l);
      if (ind == std::string::npos) fail("blank line");
      if (ind < indent) break;
      if (ind > indent) {
        if (ind != indent + 2 || l.substr(ind) != "KTAP version 1") fail("nested block must start with \"KTAP version 1\" indented by two more spaces");
        if (have_children) fail("two nested blocks for one test");
        pending_children = block(indent + 2);
        have_children = true;
        continue;
      }
      std::string body = l.substr(indent);
      if (body.rfind("# ", 0) == 0 || body == "#") {
        ++i_;
        continue;
      }
      if (!std::regex_match(body, m, result_re)) fail("expected a result line \"ok|not ok N name [# DIRECTIVE …]\"");
      KtapTest t;
      t.ok = m[1] == "ok";
      t.number = std::stoi(m[2]);
      t.name = m[3];
      std::string rest = m[4];
      auto sp = rest.find(' ');
      std::string word = rest.substr(0, sp);
      if (word == "SKIP" || word == "TODO" || word == "XFAIL" || word == "TIMEOUT" || word == "ERROR") {
        t.directive = word;
        t.diagnostic = sp == std::string::npos ? "" : rest.substr(sp + 1);
      } else {
        t.diagnostic = rest;
      }
      if ((t.directive == "ERROR" || t.directive == "TIMEOUT") && t.ok) fail("ERROR/TIMEOUT must be \"not ok\"");
      if (t.number != static_cast<int>(tests.size()) + 1) fail("test numbers must count up from 1");
      t.subtests = std::move(pending_children);
      pending_children.clear();
      have_children = false;
      if (!t.subtests.empty()) {
        bool any_failed = false;
        for (const auto& s : t.subtests) any_failed = any_failed || !s.ok;
        if (any_failed && t.ok) fail("a test whose subtest failed must fail");
      }
      tests.push_back(std::move(t));
      ++i_;
    }
    if (have_children) fail("nested block without its parent's result line");
    if (static_cast<int>(tests.size()) != planned)
      fail("plan says " + std::to_string(planned) + " tests, found " + std::to_string(tests.size()));
    return tests;
  }

  std::vector<std::string> lines_;
  std::size_t i_ = 0;
};

}  // namespace ovl::testing_ktap
