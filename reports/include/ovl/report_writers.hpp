// The four reports, each rendered from a results file alone (the HTML also takes the spec text).
#pragma once
#include <filesystem>
#include <string>

#include "ovl/results_file.hpp"
#include "ovl/spec_text.hpp"

namespace ovl {

/// JUnit XML: one <testsuite> per target, one <testcase> per case × target, classname = the
/// section of the case's first clause; <failure> lists divergences and failed expectations,
/// <skipped> and <error> carry the reason.
std::string render_junit(const ResultsFile& f);
/// KTAP version 1 as kernel selftests print it: one top-level test per target, each with a
/// subtest block of its cases.
std::string render_ktap(const ResultsFile& f);
/// summary.md: per-target counts, per-clause verdicts, the failures with their divergences.
std::string render_markdown(const ResultsFile& f);
/// index.html: one self-contained page (inline CSS and JS) with the clause × target matrix,
/// every failure with its diff table, clause text and reproducer, and filters.
std::string render_html(const ResultsFile& f, const SpecText& spec);

/// The file names write_reports() produces, in the order it writes them.
inline constexpr const char* kReportFiles[] = {"junit.xml", "ktap.txt", "summary.md", "index.html"};

/// Writes the four reports into `dir` (which must exist). Throws std::runtime_error naming the
/// file that cannot be written.
void write_reports(const ResultsFile& f, const std::filesystem::path& dir, const SpecText& spec);

}  // namespace ovl
