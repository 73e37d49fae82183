#include "case_lexer.hpp"

#include <cstdio>

namespace ovl::format {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t'; }
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string escape(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        }
    }
  }
  return out;
}

std::string describe(std::string_view s) {
  if (s.empty()) return "end of line";
  return "\"" + escape(s.substr(0, 40)) + (s.size() > 40 ? "…" : "") + "\"";
}

std::string read_quoted(std::string_view line, std::size_t& pos) {
  std::string out;
  std::size_t i = pos + 1;
  while (true) {
    if (i >= line.size())
      throw LexError{static_cast<int>(i) + 1, "closing '\"'", "end of line"};
    char c = line[i];
    if (c == '"') break;
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= line.size())
      throw LexError{static_cast<int>(i) + 2, "an escape (\\n \\t \\\\ \\\" \\xHH)", "end of line"};
    char e = line[i + 1];
    switch (e) {
      case 'n': out += '\n'; i += 2; break;
      case 't': out += '\t'; i += 2; break;
      case '\\': out += '\\'; i += 2; break;
      case '"': out += '"'; i += 2; break;
      case 'x': {
        int hi = i + 2 < line.size() ? hex_digit(line[i + 2]) : -1;
        int lo = i + 3 < line.size() ? hex_digit(line[i + 3]) : -1;
        if (hi < 0 || lo < 0)
          throw LexError{static_cast<int>(i) + 3, "two hex digits after \\x",
                         describe(line.substr(i + 2, 2))};
        out += static_cast<char>(hi * 16 + lo);
        i += 4;
        break;
      }
      default:
        throw LexError{static_cast<int>(i) + 1, "an escape (\\n \\t \\\\ \\\" \\xHH)",
                       describe(line.substr(i, 2))};
    }
  }
  pos = i + 1;
  return out;
}

std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (is_space(line[i])) {
      ++i;
      continue;
    }
    Token t;
    t.col = static_cast<int>(i) + 1;
    std::size_t start = i;
    if (line[i] == '"') {
      t.quoted = true;
      t.text = read_quoted(line, i);
    } else {
      while (i < line.size() && !is_space(line[i])) {
        if (line[i] == '"') {
          if (!t.has_eq || i != start + t.key.size() + 1)
            throw LexError{static_cast<int>(i) + 1, "a space before '\"' (quotes open a token or follow KEY=)",
                           describe(line.substr(i))};
          t.value_col = static_cast<int>(i) + 1;
          t.value = read_quoted(line, i);
          t.value_quoted = true;
          if (i < line.size() && !is_space(line[i]))
            throw LexError{static_cast<int>(i) + 1, "a space after the closing '\"'", describe(line.substr(i))};
          break;
        }
        if (line[i] == '=' && !t.has_eq) {
          t.has_eq = true;
          t.key = std::string(line.substr(start, i - start));
          t.value_col = static_cast<int>(i) + 2;
        }
        ++i;
      }
      t.raw = std::string(line.substr(start, i - start));
      t.text = t.raw;
      if (t.has_eq && !t.value_quoted) t.value = t.raw.substr(t.key.size() + 1);
    }
    if (t.quoted) t.raw = std::string(line.substr(start, i - start));
    if (i < line.size() && !is_space(line[i]))
      throw LexError{static_cast<int>(i) + 1, "a space after the closing '\"'", describe(line.substr(i))};
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace ovl::format
