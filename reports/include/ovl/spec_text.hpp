// The clause paragraphs of spec/overlay-lookup.md, read at render time for the HTML report.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace ovl {

/// One clause of the spec: `### [id] Title` and the text up to the next heading.
struct SpecClause {
  std::string id;
  std::string title;
  std::string section;  // the `## …` heading it sits under, "" if none
  std::string body;     // Markdown source of the paragraphs, trimmed
};

/// Every clause of a spec document, by id.
struct SpecText {
  std::map<std::string, SpecClause> clauses;
  const SpecClause* find(const std::string& id) const;
};

/// Parses the clause headings (`^### \[([a-z0-9.-]+)\] Title`) and their paragraphs. Text that is
/// not a clause is ignored; a document without clauses gives an empty SpecText.
SpecText parse_spec_text(std::string_view markdown);

}  // namespace ovl

namespace ovl {

/// Reads the spec (spec/overlay-lookup.md) and, if present beside it, every proposals/*.md, into
/// one SpecText. Throws std::runtime_error naming a file that cannot be read.
SpecText load_spec_text(const std::filesystem::path& main_spec);

}  // namespace ovl
