// The `.ovl` printer: Case -> canonical text (conformance/README.md, "Canonical form").
#include <cstdio>
#include <stdexcept>

#include "case_lexer.hpp"
#include "ovl/case_format.hpp"

namespace ovl {

namespace {

const char* const kTrusted = "trusted.overlay.";
const char* const kUser = "user.overlay.";

bool bare_ok(std::string_view s, bool allow_eq) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || (!allow_eq && c == '=')) return false;
  return true;
}

std::string octal(std::uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

std::string hex(std::string_view bytes) {
  std::string out;
  char buf[4];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

/// Shorthand xattrs (opaque, redirect, metacopy, empty whiteout) of a node in one namespace.
int shorthand_count(const Node& n, const std::string& prefix) {
  int k = 0;
  for (const auto& [name, value] : n.xattrs) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::string suffix = name.substr(prefix.size());
    if (suffix == "opaque" || suffix == "redirect" || suffix == "metacopy" || (suffix == "whiteout" && value.empty()))
      ++k;
  }
  return k;
}

void count_ns(const Node& n, int& trusted, int& user) {
  if (shorthand_count(n, kTrusted)) ++trusted;
  if (shorthand_count(n, kUser)) ++user;
  for (const auto& [name, child] : n.children) count_ns(*child, trusted, user);
}

std::uint32_t default_mode(NodeType t) {
  switch (t) {
    case NodeType::Dir: return 0755;
    case NodeType::Reg: return 0644;
    case NodeType::Lnk: return 0777;
    default: return 0644;
  }
}

/// Prints the entries of one layer in sorted pre-order.
class LayerPrinter {
 public:
  LayerPrinter(std::string& out, std::string layer, bool layer_user)
      : out_(out), layer_(std::move(layer)), layer_user_(layer_user) {}

  void walk(const Node& n, const std::string& path) {
    bool is_root = path == "/";
    bool print = false;
    if (n.type != NodeType::Dir) {
      print = true;
    } else {
      bool defaults = n.mode == 0755 && n.uid == 0 && n.gid == 0 && n.xattrs.empty();
      print = !defaults || (n.children.empty() && !is_root);
    }
    if (print) entry(n, path);
    for (const auto& [name, child] : n.children) {
      if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
          name.find('\0') != std::string::npos)
        throw std::invalid_argument("print_case: layer " + layer_ + ": bad name under " + path);
      if (n.type != NodeType::Dir) throw std::invalid_argument("print_case: non-directory with children at " + path);
      walk(*child, join_path(path, name));
    }
  }

 private:
  void entry(const Node& n, const std::string& path) {
    std::string line = "  ";
    std::string p = bare_ok(path, false) ? path : "\"" + format::escape(path) + "\"";
    switch (n.type) {
      case NodeType::Dir: line += "dir " + p; break;
      case NodeType::Reg:
        line += "file " + p;
        if (n.data != default_content(layer_, path)) line += " \"" + format::escape(n.data) + "\"";
        if (n.size != n.data.size()) {
          if (n.size < n.data.size()) throw std::invalid_argument("print_case: size below content length at " + path);
          line += " size=" + std::to_string(n.size);
        }
        break;
      case NodeType::Lnk:
        if (n.target.empty()) throw std::invalid_argument("print_case: empty symlink target at " + path);
        line += "symlink " + p + " " + quote_value(n.target, false);
        break;
      case NodeType::Chr:
        if (n.rdev_major == 0 && n.rdev_minor == 0)
          line += "whiteout " + p;
        else
          line += "chr " + p + " " + std::to_string(n.rdev_major) + ":" + std::to_string(n.rdev_minor);
        break;
      case NodeType::Blk:
        line += "blk " + p + " " + std::to_string(n.rdev_major) + ":" + std::to_string(n.rdev_minor);
        break;
      case NodeType::Fifo: line += "fifo " + p; break;
      case NodeType::Sock: line += "sock " + p; break;
    }
    if (n.mode != default_mode(n.type)) line += " mode=" + octal(n.mode);
    if (n.uid) line += " uid=" + std::to_string(n.uid);
    if (n.gid) line += " gid=" + std::to_string(n.gid);
    // The namespace of the shorthands: the layer's, unless only the other one has any.
    std::string mine = layer_user_ ? kUser : kTrusted, other = layer_user_ ? kTrusted : kUser;
    std::string prefix = mine;
    if (shorthand_count(n, mine) == 0 && shorthand_count(n, other) > 0) {
      prefix = other;
      line += prefix == kUser ? " ns=user" : " ns=trusted";
    }
    std::map<std::string, std::string> rest = n.xattrs;
    auto take = [&](const std::string& suffix) -> std::optional<std::string> {
      auto it = rest.find(prefix + suffix);
      if (it == rest.end()) return std::nullopt;
      std::string v = it->second;
      rest.erase(it);
      return v;
    };
    if (auto v = take("opaque")) line += " opaque=" + quote_value(*v, true);
    if (auto v = take("metacopy")) line += v->empty() ? std::string(" metacopy") : " metacopy=hex:" + hex(*v);
    if (auto v = take("redirect")) line += " redirect=" + quote_value(*v, true);
    auto wt = rest.find(prefix + "whiteout");
    if (wt != rest.end() && wt->second.empty()) {
      line += " xwhiteout";
      rest.erase(wt);
    }
    for (const auto& [name, value] : rest) {
      if (!bare_ok(name, false) || name.find('.') == std::string::npos)
        throw std::invalid_argument("print_case: xattr name not expressible: " + format::escape(name));
      line += " xattr " + name + "=" + quote_value(value, true);
    }
    out_ += line + "\n";
  }

  std::string& out_;
  std::string layer_;
  bool layer_user_;
};

void check_line(const std::string& s, const std::string& what) {
  if (s.find('\n') != std::string::npos) throw std::invalid_argument("print_case: newline in " + what);
}

std::string names(const std::vector<std::string>& v, const std::string& what) {
  std::vector<std::string> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const auto& n : sorted) {
    if (n.empty() || n.find_first_of(std::string_view(" \t\",\0\n", 6)) != std::string::npos)
      throw std::invalid_argument("print_case: " + what + " name not expressible: " + format::escape(n));
    if (!out.empty()) out += ",";
    out += n;
  }
  return out;
}

}  // namespace

std::string quote_value(std::string_view bytes, bool allow_bare) {
  if (allow_bare ? bare_ok(bytes, true) : bare_ok(bytes, false)) return std::string(bytes);
  return "\"" + format::escape(bytes) + "\"";
}

std::string print_case(const Case& c) {
  std::string out;
  for (const auto& d : c.description) {
    check_line(d, "description");
    out += d.empty() ? "#\n" : "# " + d + "\n";
  }
  check_line(c.name, "case name");
  out += "case " + c.name + "\n";
  for (const auto& id : c.clauses) out += "clause " + id + "\n";
  if (c.min_kernel) out += "kernel >= " + c.min_kernel->str() + "\n";
  if (!c.semantics.empty()) {
    out += "semantics";
    for (const auto& s : c.semantics) out += " " + s;
    out += "\n";
  }
  if (c.fsconfig) {
    if (c.fsconfig->empty()) throw std::invalid_argument("print_case: empty fsconfig sequence");
    for (const auto& f : *c.fsconfig) {
      check_line(f.key + f.value, "fsconfig call");
      if (f.key.empty() || f.key.find_first_of(" \t=") != std::string::npos)
        throw std::invalid_argument("print_case: fsconfig key not expressible: " + f.key);
      switch (f.kind) {
        case FsconfigCall::Kind::Flag: out += "fsconfig " + f.key + "\n"; break;
        case FsconfigCall::Kind::String: out += "fsconfig " + f.key + "=" + f.value + "\n"; break;
        case FsconfigCall::Kind::Fd: out += "fsconfig " + f.key + " fd=" + f.value + "\n"; break;
      }
    }
  } else {
    check_line(c.options, "mount options");
    out += c.options.empty() ? "mount\n" : "mount " + c.options + "\n";
  }
  if (!c.layers.empty()) out += "\n";
  for (const auto& [name, layer] : c.layers) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos)
      throw std::invalid_argument("print_case: bad layer name " + format::escape(name));
    int trusted = 0, user = 0;
    count_ns(layer->root(), trusted, user);
    bool layer_user = user > trusted;
    out += "layer " + quote_value(name, false) + (layer_user ? " ns=user" : "") + "\n";
    LayerPrinter(out, name, layer_user).walk(layer->root(), "/");
  }
  if (!c.expects.empty()) out += "\n";
  for (const auto& e : c.expects) {
    if (e.mount) {
      out += "expect mount " + (e.mount->ok ? std::string("ok") : e.mount->err);
      if (!e.mount->ok && !e.mount->message.empty()) out += " message=\"" + format::escape(e.mount->message) + "\"";
      out += "\n";
      continue;
    }
    if (!e.entry) throw std::invalid_argument("print_case: expectation without entry or mount");
    const Entry& en = *e.entry;
    std::string p = bare_ok(en.path, false) && en.path != "mount" ? en.path : "\"" + format::escape(en.path) + "\"";
    std::string line = "expect " + p;
    if (e.absent) {
      out += line + " absent\n";
      continue;
    }
    if (en.type) line += " " + std::string(type_name(*en.type));
    if (en.err) line += " errno=" + *en.err;
    if (en.open_err) line += " open_errno=" + *en.open_err;
    if (en.readdir_err) line += " readdir_errno=" + *en.readdir_err;
    if (en.mode) line += " mode=" + octal(*en.mode);
    if (en.size) line += " size=" + std::to_string(*en.size);
    if (en.content) {
      if (e.content_text)
        line += " content=\"" + format::escape(*e.content_text) + "\"";
      else
        line += " content=sha256:" + *en.content;
    }
    if (en.target) line += " target=" + quote_value(*en.target, true);
    if (en.children) line += " children=" + names(*en.children, "children");
    if (en.xattrs) line += " xattrs=" + names(*en.xattrs, "xattr");
    out += line + "\n";
  }
  return out;
}

}  // namespace ovl
