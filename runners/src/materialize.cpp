// Writing layers to disk (materialize.hpp). Every object is created relative to a directory
// descriptor opened with O_NOFOLLOW|O_DIRECTORY, so nothing is written outside the base.
#include "ovl/materialize.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ovl/errnos.hpp"
#include "ovl/option_layout.hpp"
#include "unique_fd.hpp"

namespace ovl {
namespace {

/// Whether a new entry already has n's owner: entries are created by the effective ids, and no
/// directory is setgid while its children are created (its mode is set after them), so no chown
/// is needed then.
bool owned_by_us(const Node& n) {
  static const uid_t uid = geteuid();
  static const gid_t gid = getegid();
  return n.uid == uid && n.gid == gid;
}
using detail::UniqueFd;

[[noreturn]] void fail(const std::string& where, const std::string& what, int err) {
  throw MaterializeError(where + ": " + what + " failed: " + errno_name(err) + " (" + std::strerror(err) + ")");
}

std::string shown(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '\0') out += "\\0";
    else out += c;
  }
  return out;
}

// Opens (creating if needed) the directory rel beneath base_fd, one component at a time.
UniqueFd open_beneath(int base_fd, std::string_view rel, const std::string& where, bool create) {
  UniqueFd cur(fcntl(base_fd, F_DUPFD_CLOEXEC, 0));
  std::size_t i = 0;
  while (i < rel.size()) {
    std::size_t j = rel.find('/', i);
    if (j == std::string_view::npos) j = rel.size();
    std::string part(rel.substr(i, j - i));
    if (create && mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST)
      fail(where, "mkdir " + part, errno);
    UniqueFd next(openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.ok()) fail(where, "open directory " + part + " (O_NOFOLLOW)", errno);
    cur = std::move(next);
    i = j + 1;
  }
  return cur;
}

void set_xattrs_fd(int fd, const Node& n, const std::string& where) {
  for (const auto& [name, value] : n.xattrs)
    if (fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) != 0) fail(where, "setxattr " + name, errno);
}

void set_xattrs_path(const std::string& path, const Node& n, const std::string& where) {
  for (const auto& [name, value] : n.xattrs)
    if (lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) != 0)
      fail(where, "lsetxattr " + name, errno);
}

void write_all(int fd, const std::string& data, const std::string& where) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(where, "write", errno);
    off += static_cast<std::size_t>(n);
  }
}

// Fills the open directory dir_fd (whose path is dir_path) with node's children, then sets the
// directory's own xattrs, owner and mode (last, so read-only directories are filled first).
void write_dir(int dir_fd, const std::string& dir_path, const Node& node, const std::string& layer_path,
               const std::string& label) {
  for (const auto& [name, child] : node.children) {
    std::string lp = join_path(layer_path, name);
    std::string where = label + ": " + shown(lp);
    check_entry_name(name, where);
    std::string path = dir_path + "/" + name;
    const char* cname = name.c_str();
    const Node& c = *child;
    switch (c.type) {
      case NodeType::Dir: {
        if (mkdirat(dir_fd, cname, 0700) != 0) fail(where, "mkdir", errno);
        UniqueFd fd(openat(dir_fd, cname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.ok()) fail(where, "open directory", errno);
        write_dir(fd.get(), path, c, lp, label);
        break;
      }
      case NodeType::Reg: {
        UniqueFd fd(openat(dir_fd, cname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd.ok()) fail(where, "create file", errno);
        write_all(fd.get(), c.data, where);
        if (c.size > c.data.size() && ftruncate(fd.get(), static_cast<off_t>(c.size)) != 0)
          fail(where, "ftruncate to " + std::to_string(c.size), errno);
        set_xattrs_fd(fd.get(), c, where);
        if (!owned_by_us(c) && fchown(fd.get(), c.uid, c.gid) != 0) fail(where, "chown", errno);
        if (fchmod(fd.get(), c.mode & 07777) != 0) fail(where, "chmod", errno);
        break;
      }
      case NodeType::Lnk:
        if (c.target.empty()) throw MaterializeError(where + ": a symlink needs a non-empty target");
        if (symlinkat(c.target.c_str(), dir_fd, cname) != 0) fail(where, "symlink", errno);
        set_xattrs_path(path, c, where);
        if (!owned_by_us(c) && fchownat(dir_fd, cname, c.uid, c.gid, AT_SYMLINK_NOFOLLOW) != 0)
          fail(where, "lchown", errno);
        break;  // symlink modes cannot be set on Linux
      case NodeType::Chr:
      case NodeType::Blk:
      case NodeType::Fifo:
      case NodeType::Sock: {
        mode_t kind = c.type == NodeType::Chr ? S_IFCHR
                      : c.type == NodeType::Blk ? S_IFBLK
                      : c.type == NodeType::Fifo ? S_IFIFO
                                                 : S_IFSOCK;
        dev_t dev = (c.type == NodeType::Chr || c.type == NodeType::Blk) ? makedev(c.rdev_major, c.rdev_minor) : 0;
        if (mknodat(dir_fd, cname, kind | 0600, dev) != 0) fail(where, "mknod", errno);
        set_xattrs_path(path, c, where);
        if (!owned_by_us(c) && fchownat(dir_fd, cname, c.uid, c.gid, AT_SYMLINK_NOFOLLOW) != 0)
          fail(where, "chown", errno);
        if (fchmodat(dir_fd, cname, c.mode & 07777, 0) != 0) fail(where, "chmod", errno);
        break;
      }
    }
  }
  std::string where = label + ": " + shown(layer_path);
  set_xattrs_fd(dir_fd, node, where);
  if (!owned_by_us(node) && fchown(dir_fd, node.uid, node.gid) != 0) fail(where, "chown", errno);
  if (fchmod(dir_fd, node.mode & 07777) != 0) fail(where, "chmod", errno);
}

}  // namespace

void check_entry_name(std::string_view name, std::string_view where) {
  std::string w(where);
  if (name.empty()) throw MaterializeError(w + ": empty name (expected a directory entry name)");
  if (name == "." || name == "..")
    throw MaterializeError(w + ": name '" + std::string(name) + "' is not allowed (expected a plain entry name)");
  if (name.find('/') != std::string_view::npos)
    throw MaterializeError(w + ": name '" + std::string(name) + "' contains '/' (expected a single entry name)");
  if (name.find('\0') != std::string_view::npos)
    throw MaterializeError(w + ": name '" + shown(name) + "' contains NUL (expected a single entry name)");
  if (name.size() > 255)
    throw MaterializeError(w + ": name of " + std::to_string(name.size()) + " bytes is longer than 255");
}

void check_relative_path(std::string_view rel, std::string_view what) {
  std::string w(what);
  if (rel.empty()) throw MaterializeError(w + ": empty path (expected a relative directory name such as 'A')");
  if (rel.front() == '/')
    throw MaterializeError(w + ": '" + std::string(rel) + "' is absolute (expected a path relative to the case)");
  std::size_t i = 0;
  while (i <= rel.size()) {
    std::size_t j = rel.find('/', i);
    if (j == std::string_view::npos) j = rel.size();
    check_entry_name(rel.substr(i, j - i), w + " '" + shown(rel) + "'");
    i = j + 1;
  }
}

void materialize_layer(const Layer& layer, const std::string& base, std::string_view rel_dir) {
  std::string label = "layer " + std::string(rel_dir);
  check_relative_path(rel_dir, label);
  UniqueFd base_fd(open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!base_fd.ok()) fail(base, "open base directory", errno);
  UniqueFd dir = open_beneath(base_fd.get(), rel_dir, label, true);
  write_dir(dir.get(), base + "/" + std::string(rel_dir), layer.root(), "/", label);
}

MaterializedCase materialize_case(const Case& c, const std::string& base) {
  MaterializedCase m;
  m.base = base;
  m.layers_dir = base + "/layers";
  m.mountpoint = base + "/mnt";
  if (mkdir(m.layers_dir.c_str(), 0755) != 0) fail(m.layers_dir, "mkdir", errno);
  if (mkdir(m.mountpoint.c_str(), 0755) != 0) fail(m.mountpoint, "mkdir", errno);
  for (const auto& [name, layer] : c.layers) {
    if (!layer) throw MaterializeError("case " + c.name + ": layer " + name + " has no tree");
    materialize_layer(*layer, m.layers_dir, name);
    m.layer_dirs.emplace_back(name, m.layers_dir + "/" + name);
  }
  OptionLayout l = c.fsconfig ? layout_of_calls(*c.fsconfig) : layout_of_options(c.options);
  if (l.upper && l.work && !l.work->empty() && c.layer(*l.work) == nullptr) {
    check_relative_path(*l.work, "case " + c.name + ": workdir");
    UniqueFd base_fd(open(m.layers_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!base_fd.ok()) fail(m.layers_dir, "open", errno);
    open_beneath(base_fd.get(), *l.work, "case " + c.name + ": workdir", true);
  }
  return m;
}

}  // namespace ovl
