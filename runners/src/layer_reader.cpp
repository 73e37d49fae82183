// Reading layer directories into Layers (layer_reader.hpp).
#include "ovl/layer_reader.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ovl/errnos.hpp"
#include "unique_fd.hpp"

namespace ovl {
namespace {
using detail::UniqueFd;

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
  throw LayerReadError(path + ": " + what + ": " + errno_name(err) + " (" + std::strerror(err) + ")");
}

// All xattrs of path (not following a final symlink), values binary-safe.
std::map<std::string, std::string> read_xattrs(const std::string& path) {
  std::map<std::string, std::string> out;
  std::vector<char> names;
  for (;;) {
    ssize_t need = llistxattr(path.c_str(), nullptr, 0);
    if (need < 0) {
      if (errno == ENOTSUP) return out;
      fail(path, "listxattr", errno);
    }
    names.resize(static_cast<std::size_t>(need));
    ssize_t n = need ? llistxattr(path.c_str(), names.data(), names.size()) : 0;
    if (n < 0 && errno == ERANGE) continue;
    if (n < 0) fail(path, "listxattr", errno);
    names.resize(static_cast<std::size_t>(n));
    break;
  }
  for (std::size_t i = 0; i < names.size();) {
    std::string name(names.data() + i);
    i += name.size() + 1;
    for (;;) {
      ssize_t need = lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
      if (need < 0) fail(path, "getxattr " + name, errno);
      std::string value(static_cast<std::size_t>(need), '\0');
      ssize_t n = need ? lgetxattr(path.c_str(), name.c_str(), value.data(), value.size()) : 0;
      if (n < 0 && errno == ERANGE) continue;
      if (n < 0) fail(path, "getxattr " + name, errno);
      value.resize(static_cast<std::size_t>(n));
      out[name] = std::move(value);
      break;
    }
  }
  return out;
}

struct Reader {
  const ReadLayerOptions& opts;
  std::size_t count = 0;

  void fill(Node& node, const struct stat& st, const std::string& path, int parent_fd, const char* name) {
    if (++count > opts.max_entries)
      throw LayerReadError(path + ": the layer has more than " + std::to_string(opts.max_entries) + " entries");
    node.mode = st.st_mode & 07777;
    node.uid = st.st_uid;
    node.gid = st.st_gid;
    node.xattrs = read_xattrs(path);
    switch (st.st_mode & S_IFMT) {
      case S_IFDIR: node.type = NodeType::Dir; break;
      case S_IFREG: {
        node.type = NodeType::Reg;
        node.size = static_cast<std::uint64_t>(st.st_size);
        if (node.size > opts.max_file_bytes)
          throw LayerReadError(path + ": file of " + std::to_string(node.size) + " bytes is larger than the limit of " +
                               std::to_string(opts.max_file_bytes) + " bytes");
        UniqueFd fd(openat(parent_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.ok()) fail(path, "open", errno);
        std::string data;
        char buf[1 << 16];
        for (;;) {
          ssize_t n = read(fd.get(), buf, sizeof buf);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) fail(path, "read", errno);
          if (n == 0) break;
          data.append(buf, static_cast<std::size_t>(n));
          if (data.size() > opts.max_file_bytes)
            throw LayerReadError(path + ": file grew past the limit of " + std::to_string(opts.max_file_bytes) + " bytes");
        }
        // A trailing run of zeros is the sparse tail: keep it implicit (data, then zeros up to size).
        std::size_t end = data.size();
        while (end > 0 && data[end - 1] == '\0') --end;
        data.resize(end);
        node.size = std::max<std::uint64_t>(node.size, end);
        node.data = std::move(data);
        break;
      }
      case S_IFLNK: {
        node.type = NodeType::Lnk;
        std::string target(static_cast<std::size_t>(st.st_size) + 256, '\0');
        ssize_t n = readlinkat(parent_fd, name, target.data(), target.size());
        if (n < 0) fail(path, "readlink", errno);
        target.resize(static_cast<std::size_t>(n));
        node.target = target;
        node.size = target.size();
        break;
      }
      case S_IFCHR:
      case S_IFBLK:
        node.type = S_ISCHR(st.st_mode) ? NodeType::Chr : NodeType::Blk;
        node.rdev_major = major(st.st_rdev);
        node.rdev_minor = minor(st.st_rdev);
        break;
      case S_IFIFO: node.type = NodeType::Fifo; break;
      case S_IFSOCK: node.type = NodeType::Sock; break;
      default: throw LayerReadError(path + ": unknown file type");
    }
  }

  void read_dir(Node& dir, int dir_fd, const std::string& path) {
    int dup = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    DIR* d = dup >= 0 ? fdopendir(dup) : nullptr;
    if (!d) {
      int e = errno;
      if (dup >= 0) close(dup);
      fail(path, "opendir", e);
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* de = readdir(d)) {
      if (std::strcmp(de->d_name, ".") && std::strcmp(de->d_name, "..")) names.emplace_back(de->d_name);
      errno = 0;
    }
    int rerr = errno;
    closedir(d);
    if (rerr) fail(path, "readdir", rerr);
    for (const auto& n : names) {
      std::string p = path == "/" ? "/" + n : path + "/" + n;
      std::string shown = root + (p == "/" ? "" : p);
      struct stat st {};
      if (fstatat(dir_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) fail(shown, "lstat", errno);
      auto child = std::make_unique<Node>();
      fill(*child, st, shown, dir_fd, n.c_str());
      if (child->is_dir()) {
        UniqueFd sub(openat(dir_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.ok()) fail(shown, "open directory", errno);
        read_dir(*child, sub.get(), p);
      }
      dir.children.emplace(n, std::move(child));
    }
  }

  std::string root;
};

}  // namespace

Layer read_layer(const std::string& dir, const ReadLayerOptions& opts) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.ok()) fail(dir, "open layer directory", errno);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) fail(dir, "stat", errno);
  Reader r{opts};
  r.root = dir;
  Layer layer;
  Node& root = layer.root();
  r.fill(root, st, dir, AT_FDCWD, dir.c_str());
  r.read_dir(root, fd.get(), "/");
  return layer;
}

}  // namespace ovl
