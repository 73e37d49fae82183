#include "ovl/spec_text.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace ovl {

const SpecClause* SpecText::find(const std::string& id) const {
  auto it = clauses.find(id);
  return it == clauses.end() ? nullptr : &it->second;
}

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

SpecText parse_spec_text(std::string_view markdown) {
  static const std::regex clause_re(R"(^###\s+\[([a-z0-9.-]+)\]\s*(.*)$)");
  static const std::regex section_re(R"(^##\s+(.*)$)");
  SpecText out;
  std::string section;
  SpecClause* current = nullptr;
  std::size_t pos = 0;
  while (pos <= markdown.size()) {
    std::size_t nl = markdown.find('\n', pos);
    std::string line(markdown.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? markdown.size() + 1 : nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, clause_re)) {
      SpecClause c{m[1], trim(m[2]), section, ""};
      current = &(out.clauses[c.id] = c);
    } else if (std::regex_match(line, m, section_re)) {
      section = trim(m[1]);
      current = nullptr;
    } else if (current && line.rfind("####", 0) == 0) {
      current->body += line + "\n";  // a sub-heading inside a clause belongs to it
    } else if (!line.empty() && line[0] == '#') {
      current = nullptr;  // another heading ends the clause
    } else if (current) {
      current->body += line + "\n";
    }
  }
  for (auto& [id, c] : out.clauses) c.body = trim(c.body);
  return out;
}

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the spec text " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

SpecText load_spec_text(const std::filesystem::path& main_spec) {
  SpecText out = parse_spec_text(read_file(main_spec));
  auto dir = main_spec.parent_path() / "proposals";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".md") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    for (auto& [id, c] : parse_spec_text(read_file(f)).clauses) out.clauses.emplace(id, std::move(c));
  return out;
}

}  // namespace ovl
