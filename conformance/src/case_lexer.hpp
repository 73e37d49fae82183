// Internal: splitting one `.ovl` line into tokens (bare words, quoted strings, KEY=VALUE).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ovl::format {

/// One token of a line. `raw` is the source text; for KEY=VALUE tokens `key`/`value` are split at
/// the first '=' and `value` is unescaped when it was quoted.
struct Token {
  int col = 1;              // 1-based column of the first character
  std::string raw;          // the token as written
  bool quoted = false;      // the whole token is a quoted string; `text` holds its bytes
  std::string text;         // quoted: the unescaped bytes; bare: same as raw
  bool has_eq = false;      // bare KEY=VALUE form
  std::string key;          // before the first '='
  std::string value;        // after it, unescaped if quoted
  bool value_quoted = false;
  int value_col = 0;
};

/// Thrown by the lexer; the parser adds the file and line.
struct LexError {
  int col;
  std::string expected;
  std::string got;
};

/// Tokenizes a line (without its newline). Throws LexError.
std::vector<Token> tokenize(std::string_view line);
/// Unescapes the body of a quoted string starting after the opening quote at line[pos]; sets pos
/// past the closing quote. Throws LexError.
std::string read_quoted(std::string_view line, std::size_t& pos);
/// Describes a byte string for an error message: `"…"` with escapes, or "end of line".
std::string describe(std::string_view s);
/// Escapes bytes for the inside of a quoted string.
std::string escape(std::string_view bytes);

}  // namespace ovl::format
