#include <cerrno>
#include <cstring>
#include <fstream>

#include "ovl/report_writers.hpp"

namespace ovl {

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  out << text;
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

void write_reports(const ResultsFile& f, const std::filesystem::path& dir, const SpecText& spec) {
  write_file(dir / "junit.xml", render_junit(f));
  write_file(dir / "ktap.txt", render_ktap(f));
  write_file(dir / "summary.md", render_markdown(f));
  write_file(dir / "index.html", render_html(f, spec));
}

}  // namespace ovl
