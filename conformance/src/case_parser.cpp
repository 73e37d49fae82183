// The `.ovl` parser: text -> Case, with FILE:LINE:COL errors.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "case_lexer.hpp"
#include "ovl/case_format.hpp"
#include "ovl/errnos.hpp"
#include "ovl/sha256.hpp"

namespace ovl {

CaseParseError::CaseParseError(std::string file, int line, int column, const std::string& expected,
                               const std::string& got)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": expected " +
                         expected + ", got " + got),
      file_(std::move(file)), line_(line), column_(column), expected_(expected), got_(got) {}

std::string default_content(std::string_view layer, std::string_view path) {
  return std::string(layer) + ":" + std::string(path) + "\n";
}

namespace {

using format::Token;

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '+' || c == '-';
}

/// The parser of one file: state across lines plus error helpers.
class Parser {
 public:
  Parser(std::string_view text, std::string_view file) : text_(text), file_(file) { c_.source_file = file_; }

  Case run();

 private:
  enum class Stage { Start, Header, Layers, Expects };

  [[noreturn]] void fail(int col, const std::string& expected, const std::string& got) const {
    throw CaseParseError(file_, line_no_, col, expected, got);
  }
  [[noreturn]] void fail_at(const Token& t, const std::string& expected) const {
    fail(t.col, expected, format::describe(t.quoted ? t.raw : t.raw));
  }
  const Token& need(const std::vector<Token>& toks, std::size_t i, const std::string& expected) const {
    if (i >= toks.size()) fail(static_cast<int>(line_.size()) + 1, expected, "end of line");
    return toks[i];
  }
  void no_more(const std::vector<Token>& toks, std::size_t i) const {
    if (i < toks.size()) fail_at(toks[i], "end of line");
  }
  /// A positional value: the bytes of a quoted string or a bare word.
  static std::string text_of(const Token& t) { return t.quoted ? t.text : t.raw; }

  std::string parse_path(const Token& t, bool allow_root) const;
  std::uint64_t parse_uint(const Token& t, std::string_view digits, int col, int base, std::uint64_t max,
                           const std::string& what) const;

  void directive(const std::vector<Token>& toks);
  void header(const std::vector<Token>& toks);
  void layer_line(const std::vector<Token>& toks);
  void entry(const std::vector<Token>& toks);
  void expect(const std::vector<Token>& toks);
  void fsconfig_line();

  std::string_view text_;
  std::string file_;
  Case c_;
  Stage stage_ = Stage::Start;
  int line_no_ = 0;
  std::string line_;
  bool have_mount_ = false;
  std::set<std::string> layer_names_;
  Layer* layer_ = nullptr;
  std::string layer_name_;
  bool layer_user_ = false;
  std::set<std::string> declared_;  // explicit paths of the current layer
};

std::string Parser::parse_path(const Token& t, bool allow_root) const {
  std::string p = text_of(t);
  if (p.empty() || p[0] != '/') fail_at(t, "an absolute path inside the layer (\"/a/b\")");
  if (p == "/") {
    if (!allow_root) fail_at(t, "a path below the layer root (only `dir /` may name the root)");
    return p;
  }
  // Limits of the layer directory a real target materializes (PATH_MAX, NAME_MAX).
  if (p.size() > 4095) fail_at(t, "a path of at most 4095 bytes (PATH_MAX), not " + std::to_string(p.size()));
  std::size_t start = 1;
  while (true) {
    std::size_t slash = p.find('/', start);
    std::string comp = p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (comp.empty()) fail_at(t, "a path without empty components (no \"//\", no trailing '/')");
    if (comp == "." || comp == "..") fail_at(t, "a path without \".\" or \"..\" components");
    if (comp.find('\0') != std::string::npos) fail_at(t, "a path without NUL bytes");
    if (comp.size() > 255)
      fail_at(t, "path components of at most 255 bytes (NAME_MAX), not " + std::to_string(comp.size()));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return p;
}

std::uint64_t Parser::parse_uint(const Token& t, std::string_view digits, int col, int base, std::uint64_t max,
                                 const std::string& what) const {
  (void)t;
  if (digits.empty() || digits.size() > 20) fail(col, what, format::describe(digits));
  std::uint64_t v = 0;
  for (char ch : digits) {
    int d = (ch >= '0' && ch <= '9') ? ch - '0' : 99;
    if (d >= base) fail(col, what, format::describe(digits));
    if (v > (max - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base))
      fail(col, what + " (at most " + std::to_string(max) + ")", format::describe(digits));
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  return v;
}

Case Parser::run() {
  std::size_t pos = 0;
  bool in_description = true;
  while (pos <= text_.size()) {
    std::size_t nl = text_.find('\n', pos);
    if (nl == std::string_view::npos) nl = text_.size();
    line_ = std::string(text_.substr(pos, nl - pos));
    ++line_no_;
    pos = nl + 1;
    if (!line_.empty() && line_.back() == '\r')
      fail(static_cast<int>(line_.size()), "LF line endings (no carriage return)", "\"\\r\"");
    std::size_t first = line_.find_first_not_of(" \t");
    if (first == std::string::npos) {
      if (nl == text_.size()) break;
      continue;
    }
    if (line_[first] == '#') {
      if (in_description && stage_ == Stage::Start && first == 0) {
        std::string d = line_.substr(1);
        if (!d.empty() && d[0] == ' ') d.erase(0, 1);
        c_.description.push_back(d);
      }
      continue;
    }
    in_description = false;
    if (first == 0 && line_.rfind("mount", 0) == 0 && (line_.size() == 5 || line_[5] == ' ' || line_[5] == '\t')) {
      if (stage_ == Stage::Start) fail(1, "`case NAME` as the first directive", "\"mount\"");
      if (stage_ != Stage::Header) fail(1, "layers and expectations after the mount line", "\"mount\"");
      if (have_mount_) fail(1, "one `mount` line or a sequence of `fsconfig` lines", "a second mount");
      have_mount_ = true;
      c_.options = line_.size() > 5 ? line_.substr(6) : std::string();
      continue;
    }
    if (first == 0 && line_.rfind("fsconfig", 0) == 0 && (line_.size() == 8 || line_[8] == ' ' || line_[8] == '\t')) {
      fsconfig_line();
      continue;
    }
    std::vector<Token> toks;
    try {
      toks = format::tokenize(line_);
    } catch (const format::LexError& e) {
      fail(e.col, e.expected, e.got);
    }
    if (first == 0)
      directive(toks);
    else
      entry(toks);
    if (nl == text_.size()) break;
  }
  if (stage_ == Stage::Start) fail(line_no_ > 0 ? 1 : 0, "`case NAME`", "end of file");
  if (c_.clauses.empty()) fail(1, "at least one `clause ID` line", "end of file");
  if (!have_mount_) fail(1, "a `mount OPTIONS` line or `fsconfig` lines", "end of file");
  return std::move(c_);
}

void Parser::fsconfig_line() {
  if (stage_ == Stage::Start) fail(1, "`case NAME` as the first directive", "\"fsconfig\"");
  if (stage_ != Stage::Header) fail(1, "layers and expectations after the fsconfig lines", "\"fsconfig\"");
  if (have_mount_ && !c_.fsconfig) fail(1, "either `mount` or `fsconfig` lines, not both", "\"fsconfig\"");
  have_mount_ = true;
  if (!c_.fsconfig) c_.fsconfig.emplace();
  std::size_t start = 9;
  std::string rest = line_.size() > start ? line_.substr(start) : std::string();
  FsconfigCall call;
  std::size_t eq = rest.find('=');
  std::size_t sp = rest.find_first_of(" \t");
  int col = static_cast<int>(start) + 1;
  if (rest.empty() || sp == 0 || eq == 0)
    fail(col, "fsconfig KEY, KEY=VALUE or KEY fd=PATH", format::describe(rest));
  if (sp != std::string::npos && (eq == std::string::npos || sp < eq)) {
    call.kind = FsconfigCall::Kind::Fd;
    call.key = rest.substr(0, sp);
    std::size_t v = rest.find_first_not_of(" \t", sp);
    if (v == std::string::npos || rest.compare(v, 3, "fd=") != 0)
      fail(col + static_cast<int>(v == std::string::npos ? rest.size() : v), "fd=PATH after the key",
           format::describe(v == std::string::npos ? std::string_view() : std::string_view(rest).substr(v)));
    call.value = rest.substr(v + 3);
    if (call.value.empty()) fail(col + static_cast<int>(v) + 3, "a path after fd=", "end of line");
  } else if (eq != std::string::npos) {
    call.kind = FsconfigCall::Kind::String;
    call.key = rest.substr(0, eq);
    call.value = rest.substr(eq + 1);
  } else {
    call.kind = FsconfigCall::Kind::Flag;
    call.key = rest;
  }
  c_.fsconfig->push_back(std::move(call));
}

void Parser::directive(const std::vector<Token>& toks) {
  const Token& d = toks[0];
  if (d.quoted || d.has_eq) fail_at(d, "a directive (case, clause, kernel, semantics, mount, fsconfig, layer, expect)");
  const std::string& w = d.raw;
  if (stage_ == Stage::Start) {
    if (w != "case") fail_at(d, "`case NAME` as the first directive");
    const Token& n = need(toks, 1, "a case name (section/name)");
    std::string name = text_of(n);
    bool ok = !name.empty() && !n.quoted;
    std::size_t start = 0;
    while (ok) {
      std::size_t slash = name.find('/', start);
      std::string comp = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (comp.empty() || comp == "." || comp == "..") ok = false;
      for (char ch : comp)
        if (!valid_name_char(ch)) ok = false;
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (!ok) fail_at(n, "a case name of [A-Za-z0-9._+-] components separated by '/'");
    no_more(toks, 2);
    c_.name = name;
    stage_ = Stage::Header;
    return;
  }
  if (w == "case") fail_at(d, "one `case` line per file");
  if (w == "clause" || w == "kernel" || w == "semantics") {
    if (stage_ != Stage::Header) fail_at(d, "`" + w + "` before the layers and expectations");
    header(toks);
    return;
  }
  if (w == "layer") {
    if (!have_mount_) fail_at(d, "a `mount` or `fsconfig` line before the layers");
    if (stage_ == Stage::Expects) fail_at(d, "layers before the expectations");
    stage_ = Stage::Layers;
    layer_line(toks);
    return;
  }
  if (w == "expect") {
    if (!have_mount_) fail_at(d, "a `mount` or `fsconfig` line before the expectations");
    stage_ = Stage::Expects;
    layer_ = nullptr;
    expect(toks);
    return;
  }
  if (w == "dir" || w == "file" || w == "symlink" || w == "whiteout" || w == "chr" || w == "blk" || w == "fifo" ||
      w == "sock")
    fail_at(d, "an indented layer entry (entries start with a space or tab)");
  fail_at(d, "a directive (case, clause, kernel, semantics, mount, fsconfig, layer, expect)");
}

void Parser::header(const std::vector<Token>& toks) {
  const std::string& w = toks[0].raw;
  if (w == "clause") {
    need(toks, 1, "a clause id");
    for (std::size_t i = 1; i < toks.size(); ++i) {
      const Token& t = toks[i];
      bool ok = !t.quoted && !t.has_eq && !t.raw.empty() && t.raw.front() != '[';
      for (char ch : t.raw)
        if (!valid_name_char(ch)) ok = false;
      if (!ok) fail_at(t, "a clause id such as data.redirect.order (no brackets)");
      c_.clauses.push_back(t.raw);
    }
    return;
  }
  if (w == "kernel") {
    if (c_.min_kernel) fail_at(toks[0], "at most one `kernel` line");
    const Token& op = need(toks, 1, "\">=\"");
    if (op.raw != ">=" || op.quoted) fail_at(op, "\">=\"");
    const Token& v = need(toks, 2, "a kernel version X.Y");
    std::size_t dot = v.raw.find('.');
    bool ok = !v.quoted && dot != std::string::npos && dot > 0 && dot + 1 < v.raw.size();
    for (std::size_t i = 0; ok && i < v.raw.size(); ++i)
      if (i != dot && (v.raw[i] < '0' || v.raw[i] > '9')) ok = false;
    if (!ok || dot > 3 || v.raw.size() - dot > 4) fail_at(v, "a kernel version X.Y (e.g. 6.16)");
    c_.min_kernel = KernelVersion{std::stoi(v.raw.substr(0, dot)), std::stoi(v.raw.substr(dot + 1))};
    no_more(toks, 3);
    return;
  }
  // semantics
  if (!c_.semantics.empty()) fail_at(toks[0], "at most one `semantics` line");
  need(toks, 1, "a proposal name (data-only-middle, dslash-redirect)");
  for (std::size_t i = 1; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.quoted || (t.raw != "data-only-middle" && t.raw != "dslash-redirect"))
      fail_at(t, "a proposal name (data-only-middle, dslash-redirect)");
    for (const auto& s : c_.semantics)
      if (s == t.raw) fail_at(t, "each proposal once");
    c_.semantics.push_back(t.raw);
  }
}

void Parser::layer_line(const std::vector<Token>& toks) {
  const Token& n = need(toks, 1, "a layer name");
  if (n.has_eq && !n.quoted) fail_at(n, "a layer name (quote names containing '=')");
  std::string name = text_of(n);
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    fail_at(n, "a layer name that is not empty, \".\" or \"..\" and has no '/' or NUL");
  if (!layer_names_.insert(name).second) fail_at(n, "a layer name not declared before");
  layer_user_ = false;
  if (toks.size() > 2) {
    const Token& t = toks[2];
    if (!t.has_eq || t.key != "ns" || t.value_quoted || (t.value != "user" && t.value != "trusted"))
      fail_at(t, "ns=user or ns=trusted");
    layer_user_ = t.value == "user";
    no_more(toks, 3);
  }
  auto layer = std::make_shared<Layer>();
  layer_ = layer.get();
  layer_name_ = name;
  declared_.clear();
  c_.layers.emplace_back(name, std::move(layer));
}

void Parser::entry(const std::vector<Token>& toks) {
  const Token& k = toks[0];
  if (stage_ != Stage::Layers || layer_ == nullptr)
    fail_at(k, stage_ == Stage::Expects ? "a directive in column 1 (entries belong to layers, before the expectations)"
                                        : "a directive in column 1 (indented entries follow a `layer` line)");
  static const std::set<std::string> kinds = {"dir", "file", "symlink", "whiteout", "chr", "blk", "fifo", "sock"};
  if (k.quoted || k.has_eq || !kinds.count(k.raw))
    fail_at(k, "an entry kind (dir, file, symlink, whiteout, chr, blk, fifo, sock)");
  const std::string& kind = k.raw;
  const Token& pt = need(toks, 1, "an absolute path");
  std::string path = parse_path(pt, kind == "dir");
  std::size_t i = 2;
  Node node;
  bool has_content = false;
  std::string content;
  if (kind == "dir") {
    node = Node::dir();
  } else if (kind == "file") {
    node = Node::file("");
    if (i < toks.size() && toks[i].quoted) {
      has_content = true;
      content = toks[i].text;
      ++i;
    }
  } else if (kind == "symlink") {
    const Token& t = need(toks, i, "a symlink target");
    std::string target = text_of(t);
    if (target.empty() || target.find('\0') != std::string::npos) fail_at(t, "a non-empty symlink target without NUL");
    node = Node::symlink(target);
    ++i;
  } else if (kind == "whiteout") {
    node = Node::chardev(0, 0);
  } else if (kind == "chr" || kind == "blk") {
    const Token& t = need(toks, i, "MAJOR:MINOR");
    std::size_t colon = t.raw.find(':');
    if (t.quoted || t.has_eq || colon == std::string::npos) fail_at(t, "MAJOR:MINOR (decimal)");
    node = Node::chardev(0, 0);
    node.type = kind == "chr" ? NodeType::Chr : NodeType::Blk;
    node.rdev_major = static_cast<std::uint32_t>(
        parse_uint(t, std::string_view(t.raw).substr(0, colon), t.col, 10, 0xfff, "a decimal major number"));
    node.rdev_minor = static_cast<std::uint32_t>(parse_uint(t, std::string_view(t.raw).substr(colon + 1),
                                                            t.col + static_cast<int>(colon) + 1, 10, 0xfffff,
                                                            "a decimal minor number"));
    ++i;
  } else {
    node.type = kind == "fifo" ? NodeType::Fifo : NodeType::Sock;
    node.mode = 0644;
  }
  // Attributes.
  std::optional<std::uint64_t> size;
  bool user = layer_user_;
  std::set<std::string> seen;
  struct Pending {
    std::string suffix;  // after "<P>overlay."
    std::string value;
    const Token* tok;
  };
  std::vector<Pending> shorthand;
  std::vector<std::pair<std::string, std::pair<std::string, const Token*>>> generic;
  for (; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.quoted) fail_at(t, kind == "file" ? "an attribute (the content string comes right after the path)"
                                            : "an attribute KEY=VALUE");
    std::string key = t.has_eq ? t.key : t.raw;
    if (key != "xattr" && !seen.insert(key).second) fail_at(t, "each attribute at most once");
    auto need_value = [&](const std::string& what) {
      if (!t.has_eq) fail_at(t, key + "=" + what);
    };
    auto no_value = [&]() {
      if (t.has_eq) fail_at(t, key + " without a value");
    };
    if (key == "size") {
      need_value("N");
      if (kind != "file") fail_at(t, "an attribute valid for " + kind + " (size= is for files)");
      size = parse_uint(t, t.value, t.value_col, 10, UINT64_MAX, "a decimal size");
    } else if (key == "mode") {
      need_value("0NNN");
      node.mode = static_cast<std::uint32_t>(parse_uint(t, t.value, t.value_col, 8, 07777, "octal mode bits"));
    } else if (key == "uid" || key == "gid") {
      need_value("N");
      auto v = static_cast<std::uint32_t>(parse_uint(t, t.value, t.value_col, 10, 0xffffffffu, "a decimal id"));
      (key == "uid" ? node.uid : node.gid) = v;
    } else if (key == "ns") {
      need_value("user or trusted");
      if (t.value_quoted || (t.value != "user" && t.value != "trusted")) fail_at(t, "ns=user or ns=trusted");
      user = t.value == "user";
    } else if (key == "opaque" || key == "redirect") {
      need_value("VALUE");
      shorthand.push_back({key, t.value, &t});
    } else if (key == "metacopy") {
      std::string bytes;
      if (t.has_eq) {
        if (t.value_quoted || t.value.rfind("hex:", 0) != 0) fail_at(t, "metacopy or metacopy=hex:HH…");
        std::string hex = t.value.substr(4);
        if (hex.size() % 2) fail_at(t, "an even number of hex digits after hex:");
        for (std::size_t h = 0; h < hex.size(); h += 2) {
          auto dig = [](char ch) {
            return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
          };
          int hi = dig(hex[h]), lo = dig(hex[h + 1]);
          if (hi < 0 || lo < 0) fail(t.value_col + 4 + static_cast<int>(h), "hex digits", format::describe(hex.substr(h, 2)));
          bytes += static_cast<char>(hi * 16 + lo);
        }
      }
      shorthand.push_back({"metacopy", bytes, &t});
    } else if (key == "xwhiteout") {
      no_value();
      shorthand.push_back({"whiteout", "", &t});
    } else if (key == "xattr") {
      no_value();
      if (i + 1 >= toks.size()) fail(static_cast<int>(line_.size()) + 1, "NAME=VALUE after xattr", "end of line");
      const Token& x = toks[++i];
      if (x.quoted || !x.has_eq || x.key.empty()) fail_at(x, "NAME=VALUE (a full xattr name such as user.foo)");
      if (x.key.find('.') == std::string::npos) fail_at(x, "a full xattr name with a namespace (user.…, trusted.…)");
      for (unsigned char ch : x.key)  // what the printer can write back as a bare word
        if (ch < 0x21 || ch > 0x7e || ch == '\\' || ch == '"')
          fail_at(x, "an xattr name of printable ASCII without backslash");
      std::string value = x.value;
      if (!x.value_quoted && value.rfind("hex:", 0) == 0) {
        std::string hex = value.substr(4), bytes;
        if (hex.size() % 2) fail_at(x, "an even number of hex digits after hex:");
        for (std::size_t h = 0; h < hex.size(); h += 2) {
          int v = 0;
          for (int s = 0; s < 2; ++s) {
            char ch = hex[h + s];
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
            if (d < 0) fail(x.value_col + 4 + static_cast<int>(h), "hex digits", format::describe(hex.substr(h, 2)));
            v = v * 16 + d;
          }
          bytes += static_cast<char>(v);
        }
        value = bytes;
      }
      generic.push_back({x.key, {value, &x}});
    } else {
      fail_at(t, "an attribute (mode= uid= gid= ns= opaque= redirect= metacopy xwhiteout xattr" +
                     std::string(kind == "file" ? " size=" : "") + ")");
    }
  }
  std::string prefix = user ? "user.overlay." : "trusted.overlay.";
  for (const auto& p : shorthand)
    if (!node.xattrs.emplace(prefix + p.suffix, p.value).second) fail_at(*p.tok, "each xattr once");
  for (const auto& [name, v] : generic)
    if (!node.xattrs.emplace(name, v.first).second) fail_at(*v.second, "each xattr once per entry");
  if (kind == "file") {
    node.data = has_content ? content : default_content(layer_name_, path);
    node.size = node.data.size();
    if (size) {
      if (*size < node.data.size())
        fail(toks[1].col, "size= at least the content length (" + std::to_string(node.data.size()) + ")",
             std::to_string(*size));
      node.size = *size;
    }
  }
  // Store it.
  if (!declared_.insert(path).second) fail_at(pt, "a path not declared before in this layer");
  Node* cur = &layer_->root();
  if (path == "/") {
    node.children = std::move(cur->children);
    *cur = std::move(node);
    return;
  }
  std::string so_far;
  std::size_t start = 1;
  while (true) {
    std::size_t slash = path.find('/', start);
    std::string comp = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    so_far += "/" + comp;
    if (slash == std::string::npos) {
      auto it = cur->children.find(comp);
      if (it != cur->children.end()) {
        // An implied directory declared now: keep its children (only a dir may have them).
        if (node.type != NodeType::Dir) fail_at(pt, "a path with no entries declared below it (" + kind + " cannot have children)");
        node.children = std::move(it->second->children);
        *it->second = std::move(node);
      } else {
        cur->children.emplace(comp, std::make_unique<Node>(std::move(node)));
      }
      return;
    }
    auto it = cur->children.find(comp);
    if (it == cur->children.end()) it = cur->children.emplace(comp, std::make_unique<Node>(Node::dir())).first;
    if (!it->second->is_dir()) fail_at(pt, "a path whose parent " + so_far + " is a directory");
    cur = it->second.get();
    start = slash + 1;
  }
}

void Parser::expect(const std::vector<Token>& toks) {
  Expectation e;
  e.line = line_no_;
  const Token& p = need(toks, 1, "a path or `mount`");
  if (!p.quoted && p.raw == "mount") {
    const Token& v = need(toks, 2, "ok or an errno name (EINVAL …)");
    MountStatus m;
    if (v.raw == "ok" && !v.quoted) {
      m.ok = true;
    } else {
      if (v.quoted || !errno_from_name(v.raw)) fail_at(v, "ok or an errno name (EINVAL …)");
      m.ok = false;
      m.err = v.raw;
    }
    if (toks.size() > 3) {
      const Token& t = toks[3];
      if (m.ok || t.quoted || !t.has_eq || t.key != "message" || t.value.empty())
        fail_at(t, m.ok ? "end of line" : "end of line or message=\"TEXT\" (a part of the kernel's message)");
      m.message = t.value;
      no_more(toks, 4);
    }
    e.mount = m;
    c_.expects.push_back(std::move(e));
    return;
  }
  Entry en;
  en.path = parse_path(p, true);
  std::size_t i = 2;
  if (i < toks.size() && !toks[i].quoted && !toks[i].has_eq && toks[i].raw == "absent") {
    no_more(toks, 3);
    e.absent = true;
    e.entry = en;
    c_.expects.push_back(std::move(e));
    return;
  }
  if (i < toks.size() && !toks[i].quoted && !toks[i].has_eq) {
    auto t = type_from_name(toks[i].raw);
    if (!t) fail_at(toks[i], "a type (dir reg lnk chr blk fifo sock), absent, or FIELD=VALUE");
    en.type = t;
    ++i;
  }
  std::set<std::string> seen;
  auto names_list = [&](const Token& t) {
    std::vector<std::string> names;
    std::string v = t.value;
    if (v.empty()) return names;
    std::size_t s = 0;
    while (true) {
      std::size_t comma = v.find(',', s);
      std::string n = v.substr(s, comma == std::string::npos ? std::string::npos : comma - s);
      if (n.empty() || n.find_first_of(" \t\"\0", 0, 4) != std::string::npos)
        fail(t.value_col + static_cast<int>(s), "a comma-separated list of non-empty names", format::describe(v.substr(s)));
      names.push_back(n);
      if (comma == std::string::npos) break;
      s = comma + 1;
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  for (; i < toks.size(); ++i) {
    const Token& t = toks[i];
    if (t.quoted || !t.has_eq) fail_at(t, "FIELD=VALUE (errno open_errno readdir_errno mode size content target children xattrs)");
    if (!seen.insert(t.key).second) fail_at(t, "each field at most once");
    auto errno_value = [&]() {
      if (t.value_quoted || !errno_from_name(t.value)) fail(t.value_col, "an errno name (ENOENT, EIO …)", format::describe(t.value));
      return t.value;
    };
    if (t.key == "errno") {
      en.err = errno_value();
    } else if (t.key == "open_errno") {
      en.open_err = errno_value();
    } else if (t.key == "readdir_errno") {
      en.readdir_err = errno_value();
    } else if (t.key == "mode") {
      en.mode = static_cast<std::uint32_t>(parse_uint(t, t.value, t.value_col, 8, 07777, "octal mode bits"));
    } else if (t.key == "size") {
      en.size = parse_uint(t, t.value, t.value_col, 10, UINT64_MAX, "a decimal size");
    } else if (t.key == "content") {
      if (!t.value_quoted && t.value.rfind("sha256:", 0) == 0) {
        std::string hex = t.value.substr(7);
        bool ok = hex.size() == 64;
        for (char ch : hex)
          if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) ok = false;
        if (!ok) fail(t.value_col + 7, "64 lower-case hex digits", format::describe(hex));
        en.content = hex;
      } else {
        e.content_text = t.value;
        en.content = sha256_hex(t.value);
      }
    } else if (t.key == "target") {
      en.target = t.value;
    } else if (t.key == "children") {
      en.children = names_list(t);
    } else if (t.key == "xattrs") {
      en.xattrs = names_list(t);
    } else {
      fail_at(t, "a field (errno open_errno readdir_errno mode size content target children xattrs)");
    }
  }
  if (en.err && (en.type || seen.size() > 1))
    fail(toks[1].col, "errno= alone (an entry whose lstat fails has no other field)", "more fields");
  e.entry = std::move(en);
  c_.expects.push_back(std::move(e));
}

}  // namespace

Case parse_case(std::string_view text, std::string_view filename) {
  Parser p(text, filename);
  return p.run();
}

Case parse_case_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CaseParseError(path.string(), 0, 0, "a readable case file", "cannot open it");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_case(ss.str(), path.string());
}

}  // namespace ovl
