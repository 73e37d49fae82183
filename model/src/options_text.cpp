// The text level of the option language: the option table lookups, comma splitting (R51),
// backslash unescaping (R52) and seq_show_option escaping (R63).
#include <cstdio>
#include <string>

#include "options_context.hpp"

namespace ovl {

const OptionSpec* find_option(std::string_view key) {
  for (const auto& o : kOptionTable) {
    if (o.key == key) return &o;
  }
  return nullptr;
}

const SbFlagSpec* find_sb_flag(std::string_view key) {
  for (const auto& f : kSbFlagTable) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::vector<std::string_view> option_values(const OptionSpec& spec) {
  std::vector<std::string_view> out;
  if (spec.kind != OptionKind::Enum) return out;
  std::string_view v = spec.values;
  while (!v.empty()) {
    auto bar = v.find('|');
    out.push_back(v.substr(0, bar));
    if (bar == std::string_view::npos) break;
    v.remove_prefix(bar + 1);
  }
  return out;
}

std::vector<std::string> split_option_string(std::string_view data) {
  // The data page is one page with its last byte forced to NUL; a NUL ends the string too.
  if (data.size() > kLegacyDataMax) data = data.substr(0, kLegacyDataMax);
  if (auto nul = data.find('\0'); nul != std::string_view::npos) data = data.substr(0, nul);
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c == '\\') {
      cur += c;
      if (i + 1 < data.size()) cur += data[++i];  // the escaped character never splits
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}

std::string mountinfo_escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

namespace detail {

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      if (++i == s.size()) break;  // a trailing lone backslash is dropped
    }
    out += s[i];
  }
  return out;
}

MountError refuse(int err, std::string_view clause, std::string message, bool fc_log) {
  MountError e;
  e.err = err;
  e.clause = std::string(clause);
  e.message = std::move(message);
  e.in_fc_log = fc_log;
  return e;
}

}  // namespace detail
}  // namespace ovl
