// Shell reproducers (reproducer.hpp).
#include "ovl/reproducer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "ovl/materialize.hpp"

namespace ovl {
namespace {

// printf format text that yields exactly the bytes: everything but [A-Za-z0-9 ._-] as \ooo.
std::string printf_bytes(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (std::isalnum(c) || c == ' ' || c == '.' || c == '_' || c == '-') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    }
  }
  return out;
}

std::string hex(const std::string& bytes) {
  static const char d[] = "0123456789abcdef";
  std::string out = "0x";
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

std::string octal_mode(std::uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

void emit_xattrs(std::ostream& os, const Node& n, const std::string& q) {
  for (const auto& [name, value] : n.xattrs) {
    os << "setfattr -h -n " << shell_quote(name);
    if (!value.empty()) os << " -v " << hex(value);
    os << " " << q << "\n";
  }
}

// Post-order: children first, then the directory's own xattrs, owner and mode.
void emit_node(std::ostream& os, const Node& n, const std::string& path) {
  std::string q = shell_quote(path);
  switch (n.type) {
    case NodeType::Dir:
      for (const auto& [name, child] : n.children) {
        check_entry_name(name, path);
        std::string p = path + "/" + name;
        if (child->is_dir()) os << "mkdir " << shell_quote(p) << "\n";
        emit_node(os, *child, p);
      }
      break;
    case NodeType::Reg:
      os << "printf '" << printf_bytes(n.data) << "' > " << q << "\n";
      if (n.size > n.data.size()) os << "truncate -s " << n.size << " " << q << "\n";
      break;
    case NodeType::Lnk: os << "ln -s " << shell_quote(n.target) << " " << q << "\n"; break;
    case NodeType::Chr: os << "mknod " << q << " c " << n.rdev_major << " " << n.rdev_minor << "\n"; break;
    case NodeType::Blk: os << "mknod " << q << " b " << n.rdev_major << " " << n.rdev_minor << "\n"; break;
    case NodeType::Fifo: os << "mknod " << q << " p\n"; break;
    case NodeType::Sock:
      os << "python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' " << q << "\n";
      break;
  }
  emit_xattrs(os, n, q);
  if (n.uid || n.gid) os << "chown -h " << n.uid << ":" << n.gid << " " << q << "\n";
  if (n.type != NodeType::Lnk) os << "chmod " << octal_mode(n.mode) << " " << q << "\n";
}

// The command that shows the kernel's side of one field of one path.
std::string show_command(const std::string& field, const std::string& path) {
  std::string q = shell_quote("mnt" + (path == "/" ? std::string() : path));
  if (field == "content" || field == "open_errno") return "sha256sum " + q + " 2>&1";
  if (field == "target") return "readlink " + q + " 2>&1";
  if (field == "children" || field == "readdir_errno") return "ls -A " + q + " 2>&1 | tr '\\n' ' '; echo";
  if (field == "xattrs") return "getfattr -h --absolute-names -m - " + q + " 2>&1";
  return "stat -c '%F mode=%a size=%s' " + q + " 2>&1";
}

}  // namespace

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string reproducer_mount_options(const Case& c) {
  if (!c.options.empty() || !c.fsconfig) return c.options;
  std::string out;
  for (const auto& call : *c.fsconfig) {
    if (!out.empty()) out += ',';
    out += call.key;
    if (call.kind == FsconfigCall::Kind::Flag) continue;
    out += '=';
    for (char ch : call.value) {
      if (ch == ',') out += '\\';
      out += ch;
    }
  }
  return out;
}

std::string write_reproducer(const Case& c, const std::vector<Divergence>& divs, const ReproducerOptions& opts) {
  std::ostringstream os;
  os << "#!/bin/sh\n";
  os << "# ovlspec reproducer" << (c.name.empty() ? "" : ": " + c.name) << "\n";
  os << "# Run as root: sh THIS_FILE. Rebuilds the layers in a fresh temporary directory, mounts\n";
  os << "# them and prints what the kernel shows next to what the spec says.\n";
  if (opts.private_namespace)
    os << "[ -n \"${OVLSPEC_REPRO_NS:-}\" ] || exec unshare -m --propagation private env OVLSPEC_REPRO_NS=1 sh \"$0\" \"$@\"\n";
  os << "set -u\n";
  os << "d=$(mktemp -d)\n";
  os << "trap 'umount \"$d/mnt\" 2>/dev/null; rm -rf \"$d\"' EXIT\n";
  os << "cd \"$d\" || exit 1\n";
  os << "mkdir mnt\n";
  for (const auto& [name, layer] : c.layers) {
    check_relative_path(name, "layer " + name);
    os << "# layer " << name << "\n";
    os << "mkdir -p " << shell_quote(name) << "\n";
    if (layer) emit_node(os, layer->root(), name);
  }
  std::string options = reproducer_mount_options(c);
  os << "if ! mount -t overlay overlay -o " << shell_quote(options) << " mnt; then\n";
  os << "  echo 'kernel: the mount was refused (see above and dmesg)'\n";
  for (const auto& d : divs)
    if (d.path.empty())
      os << "  echo " << shell_quote("spec:   mount " + d.field + " = " + d.model) << "\n";
  os << "  exit 0\nfi\n";
  if (divs.empty()) {
    os << "echo 'no divergence recorded; the whole tree:'\n";
    os << "ls -lAR mnt\n";
  }
  // One block per path: the spec's values (with clauses), then each distinct kernel command once.
  std::vector<std::string> paths;
  for (const auto& d : divs)
    if (std::find(paths.begin(), paths.end(), d.path) == paths.end()) paths.push_back(d.path);
  for (const auto& path : paths) {
    if (path.empty()) {
      for (const auto& d : divs)
        if (d.path.empty()) os << "echo " << shell_quote("spec:   mount " + d.field + " = " + d.model + ", kernel: mounted") << "\n";
      continue;
    }
    std::vector<std::string> commands;
    for (const auto& d : divs) {
      if (d.path != path) continue;
      std::string clauses;
      for (const auto& cl : d.clauses) clauses += (clauses.empty() ? "" : " ") + ("[" + cl + "]");
      os << "echo " << shell_quote("== " + path + " " + d.field + ": spec says " + d.model + (clauses.empty() ? "" : "   " + clauses)) << "\n";
      std::string cmd = show_command(d.field, path);
      if (std::find(commands.begin(), commands.end(), cmd) == commands.end()) commands.push_back(cmd);
    }
    for (const auto& cmd : commands) os << "printf 'kernel: '; " << cmd << "\n";
  }
  return os.str();
}

}  // namespace ovl
