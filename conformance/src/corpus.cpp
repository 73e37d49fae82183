// load_corpus: every case file below a directory, sorted by case name.
#include <algorithm>
#include <map>

#include "ovl/case_format.hpp"

namespace ovl {

std::vector<Case> load_corpus(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + ": expected a corpus directory, got none");
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".ovl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<Case> out;
  std::map<std::string, std::string> seen;
  for (const auto& f : files) {
    Case c = parse_case_file(f);
    auto [it, fresh] = seen.emplace(c.name, f.string());
    if (!fresh) throw std::runtime_error(f.string() + ": case name " + c.name + " already used by " + it->second);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

}  // namespace ovl
