// results.jsonl: a header line, then one Result per line, appended and flushed one by one.
#pragma once
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "ovl/result.hpp"

namespace ovl {

/// A malformed results.jsonl: what() is "FILE:LINE: what was expected".
struct ResultsParseError : std::runtime_error {
  ResultsParseError(const std::string& file, int line, const std::string& what);
  std::string file;
  int line = 0;
};

/// A whole results.jsonl read back.
struct ResultsFile {
  RunHeader header;
  std::vector<Result> results;  // in file order
};

/// Appends results to results.jsonl as they arrive; each line is flushed to the OS at once so
/// an interrupted run keeps every finished result.
class ResultsWriter {
 public:
  /// Creates (truncates) `path` and writes the header line. Throws std::runtime_error naming the
  /// path if it cannot be written.
  ResultsWriter(const std::filesystem::path& path, const RunHeader& header);
  /// Appends to an existing results.jsonl (a resumed run): no header is written. Call
  /// drop_torn_tail() first. Throws std::runtime_error naming the path if it cannot be opened.
  struct Append {};
  ResultsWriter(const std::filesystem::path& path, Append);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  /// Writes one result line, flushes it and fsyncs the file (a killed run or a power loss keeps
  /// every result appended before it).
  void append(const Result& r);
  const std::filesystem::path& path() const { return path_; }
  std::size_t count() const { return count_; }

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
  std::size_t count_ = 0;
};

/// The header line of a results.jsonl (one JSON object, no newline inside).
std::string results_header_line(const RunHeader& h);
/// One result line (no newline inside).
std::string results_line(const Result& r);

/// Parses results.jsonl text; `filename` names it in errors. The first non-empty line must be
/// the header; empty lines are ignored; a truncated last line (an interrupted write) is an error.
ResultsFile parse_results(std::string_view text, const std::string& filename);
/// Reads and parses a results.jsonl file; throws ResultsParseError (line 0 if it cannot be read).
ResultsFile read_results(const std::filesystem::path& path);

/// For resuming an interrupted run: truncates `path` after its last newline, dropping a torn
/// last line (a write cut by a kill or a power loss). Returns the number of bytes dropped.
std::size_t drop_torn_tail(const std::filesystem::path& path);

}  // namespace ovl
