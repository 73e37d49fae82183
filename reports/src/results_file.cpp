#include "ovl/results_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace ovl {
using nlohmann::json;

ResultsParseError::ResultsParseError(const std::string& f, int l, const std::string& what)
    : std::runtime_error(f + ":" + std::to_string(l) + ": " + what), file(f), line(l) {}

// Invalid UTF-8 (odd file names in generated cases) is replaced, never an exception mid-run.
std::string results_header_line(const RunHeader& h) {
  return to_json(h).dump(-1, ' ', false, json::error_handler_t::replace);
}
std::string results_line(const Result& r) { return to_json(r).dump(-1, ' ', false, json::error_handler_t::replace); }

ResultsWriter::ResultsWriter(const std::filesystem::path& path, const RunHeader& header) : path_(path) {
  file_ = std::fopen(path.c_str(), "w");
  if (!file_) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  std::string line = results_header_line(header) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

ResultsWriter::ResultsWriter(const std::filesystem::path& path, Append) : path_(path) {
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) throw std::runtime_error("cannot append to " + path.string() + ": " + std::strerror(errno));
}

ResultsWriter::~ResultsWriter() {
  if (file_) std::fclose(file_);
}

void ResultsWriter::append(const Result& r) {
  std::string line = results_line(r) + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0 ||
      ::fsync(fileno(file_)) != 0)
    throw std::runtime_error("cannot write " + path_.string() + ": " + std::strerror(errno));
  ++count_;
}

ResultsFile parse_results(std::string_view text, const std::string& filename) {
  ResultsFile out;
  bool have_header = false;
  int lineno = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    bool terminated = nl != std::string_view::npos;
    std::string_view line = text.substr(pos, terminated ? nl - pos : std::string_view::npos);
    pos = terminated ? nl + 1 : text.size();
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large
      std::string why = terminated ? "" : " (the last line is incomplete: was the run interrupted?)";
      throw ResultsParseError(filename, lineno, std::string("expected one JSON object per line") + why + ": " + e.what());
    }
    if (!j.is_object()) throw ResultsParseError(filename, lineno, "expected a JSON object, got " + j.dump());
    try {
      if (!have_header) {
        if (!j.contains("record") || j["record"] != "header")
          throw std::invalid_argument(std::string("expected the header line {\"schema\": \"") + kResultsSchema +
                                      "\", \"record\": \"header\", …} first");
        out.header = run_header_from_json(j);
        have_header = true;
      } else {
        if (j.contains("record") && j["record"] == "header")
          throw std::invalid_argument("a second header line (results.jsonl holds one run)");
        out.results.push_back(result_from_json(j));
      }
    } catch (const std::invalid_argument& e) {
      throw ResultsParseError(filename, lineno, e.what());
    }
  }
  if (!have_header) throw ResultsParseError(filename, lineno, "empty results file: expected the header line");
  return out;
}

ResultsFile read_results(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ResultsParseError(path.string(), 0, std::string("cannot read: ") + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_results(ss.str(), path.string());
}

std::size_t drop_torn_tail(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::size_t keep = text.rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  if (keep == text.size()) return 0;
  std::filesystem::resize_file(path, keep);
  return text.size() - keep;
}

}  // namespace ovl
