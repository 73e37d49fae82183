// The walk of a mounted tree (probe.hpp).
#include "ovl/probe.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <stdexcept>

#include "ovl/errnos.hpp"
#include "ovl/sha256.hpp"
#include "unique_fd.hpp"

namespace ovl {
namespace {
using detail::UniqueFd;

NodeType type_of(mode_t m) {
  switch (m & S_IFMT) {
    case S_IFDIR: return NodeType::Dir;
    case S_IFLNK: return NodeType::Lnk;
    case S_IFCHR: return NodeType::Chr;
    case S_IFBLK: return NodeType::Blk;
    case S_IFIFO: return NodeType::Fifo;
    case S_IFSOCK: return NodeType::Sock;
    default: return NodeType::Reg;
  }
}

// The overlay-related xattr names of path (listxattr failures leave the list empty).
std::optional<std::vector<std::string>> overlay_xattrs(const std::string& path) {
  std::vector<char> buf(4096);
  ssize_t n;
  for (;;) {
    n = llistxattr(path.c_str(), buf.data(), buf.size());
    if (n >= 0) break;
    if (errno != ERANGE) return std::nullopt;
    ssize_t need = llistxattr(path.c_str(), nullptr, 0);
    if (need < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(need) + 1024);
  }
  std::vector<std::string> out;
  for (ssize_t i = 0; i < n;) {
    std::string name(buf.data() + i);
    i += static_cast<ssize_t>(name.size()) + 1;
    if (name.find(".overlay.") != std::string::npos) out.push_back(name);
  }
  if (out.empty()) return std::nullopt;
  std::sort(out.begin(), out.end());
  return out;
}

// Reads a regular file to its end: the sha256, or the errno of open/read.
void read_content(const std::string& path, Entry& e) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd.ok()) {
    e.open_err = errno_name(errno);
    return;
  }
  Sha256 h;
  static thread_local char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      e.open_err = errno_name(errno);
      return;
    }
    if (n == 0) break;
    h.update(std::string_view(buf, static_cast<std::size_t>(n)));
  }
  e.content = h.hex();
}

struct Walker {
  const std::string& root;
  const ProbeOptions& opts;
  std::map<std::string, std::vector<std::string>> candidates;  // dir path -> candidate names
  Observation obs;
  bool overflow = false;

  std::string real(const std::string& p) const { return p == "/" ? root : root + p; }

  void visit(const std::string& path) {
    if (opts.max_entries && obs.entries.size() >= opts.max_entries) {
      overflow = true;
      return;
    }
    Entry e;
    e.path = path;
    std::string rp = real(path);
    struct stat st {};
    if (lstat(rp.c_str(), &st) != 0) {
      e.err = errno_name(errno);
      obs.entries.push_back(std::move(e));
      return;
    }
    e.type = type_of(st.st_mode);
    e.mode = st.st_mode & 07777;
    e.xattrs = overlay_xattrs(rp);
    std::vector<std::string> walk, walk_hidden;
    switch (*e.type) {
      case NodeType::Reg:
        e.size = static_cast<std::uint64_t>(st.st_size);
        read_content(rp, e);
        break;
      case NodeType::Lnk: {
        std::string buf(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 0) + 256, '\0');
        ssize_t n = readlink(rp.c_str(), buf.data(), buf.size());
        if (n >= 0) {
          buf.resize(static_cast<std::size_t>(n));
          e.target = buf;
        }
        break;
      }
      case NodeType::Dir: {
        int fd = open(rp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR* d = fd >= 0 ? fdopendir(fd) : nullptr;
        if (!d) {
          e.readdir_err = errno_name(errno);
          if (fd >= 0) close(fd);
          add_candidates(path, {}, walk_hidden);
          break;
        }
        std::vector<std::string> names;
        errno = 0;
        while (dirent* de = readdir(d)) {
          std::string n(de->d_name);
          if (n != "." && n != "..") names.push_back(n);
          errno = 0;
        }
        int rerr = errno;
        closedir(d);
        if (rerr) {
          // The listing failed: nothing of it is kept; the candidates are still looked up.
          e.readdir_err = errno_name(rerr);
          add_candidates(path, {}, walk_hidden);
          break;
        }
        std::sort(names.begin(), names.end());
        e.children = names;
        walk = names;
        add_candidates(path, names, walk_hidden);
        break;
      }
      default:
        break;  // devices, fifos and sockets are never opened
    }
    obs.entries.push_back(std::move(e));
    for (const auto& n : walk) visit(join_path(path, n));
    for (const auto& p : walk_hidden) hidden(p);
  }

  // The candidates below `path` that `listed` (sorted) does not hold.
  void add_candidates(const std::string& path, const std::vector<std::string>& listed, std::vector<std::string>& out) {
    auto it = candidates.find(path);
    if (it == candidates.end()) return;
    for (const auto& c : it->second)
      if (!std::binary_search(listed.begin(), listed.end(), c)) out.push_back(join_path(path, c));
  }

  // A candidate readdir did not list: recorded only when lstat does not give ENOENT.
  void hidden(const std::string& path) {
    struct stat st {};
    if (lstat(real(path).c_str(), &st) != 0 && errno == ENOENT) return;
    visit(path);
  }

};

}  // namespace

Observation probe(const std::string& mountpoint, const ProbeOptions& opts) {
  Walker w{mountpoint, opts, {}, {}, false};
  for (const auto& c : opts.candidates) {
    if (c.size() < 2 || c[0] != '/') continue;
    auto slash = c.rfind('/');
    w.candidates[slash == 0 ? "/" : c.substr(0, slash)].push_back(c.substr(slash + 1));
  }
  w.visit("/");
  if (w.overflow)
    throw std::length_error("probe of " + mountpoint + ": more than " + std::to_string(opts.max_entries) +
                            " entries (ProbeOptions::max_entries)");
  w.obs.normalize();
  return w.obs;
}

namespace {
void collect(const Node& n, const std::string& path, std::set<std::string>& out) {
  for (const auto& [name, child] : n.children) {
    std::string p = join_path(path, name);
    out.insert(p);
    if (child->is_dir()) collect(*child, p, out);
  }
}
}  // namespace

std::vector<std::string> candidate_paths(const std::vector<const Layer*>& layers) {
  std::set<std::string> out;
  for (const Layer* l : layers)
    if (l) collect(l->root(), "/", out);
  return {out.begin(), out.end()};
}

}  // namespace ovl
