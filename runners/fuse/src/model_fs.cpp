// The model's merged view served over the libfuse3 low-level API (fuse_model_fs.hpp).
#define FUSE_USE_VERSION 34
#include "ovl/fuse_model_fs.hpp"

#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "ovl/xattr_names.hpp"

namespace ovl {
namespace {

/// One inode the kernel knows: the overlay path and the model's resolution of it.
struct InodeRec {
  Resolution res;
};

/// One open directory: the listing taken at opendir, with d_type values.
struct DirHandle {
  struct Item {
    std::string name;
    fuse_ino_t ino;
    mode_t type;  // S_IF* bits, 0 when unknown
  };
  std::vector<Item> items;
};

/// Everything the request handlers share (the session is single-threaded).
struct State {
  const Model* model = nullptr;
  std::vector<InodeRec> inodes;                    // index = ino - 1; ino 1 is "/"
  std::unordered_map<std::string, fuse_ino_t> by_path;

  fuse_ino_t remember(Resolution r) {
    auto it = by_path.find(r.path);
    if (it != by_path.end()) {
      inodes[it->second - 1].res = std::move(r);
      return it->second;
    }
    fuse_ino_t ino = inodes.size() + 1;
    by_path.emplace(r.path, ino);
    inodes.push_back({std::move(r)});
    return ino;
  }
  const Resolution* get(fuse_ino_t ino) const {
    if (ino < 1 || ino > inodes.size()) return nullptr;
    return &inodes[ino - 1].res;
  }
};

State& state(fuse_req_t req) { return *static_cast<State*>(fuse_req_userdata(req)); }

mode_t type_bits(NodeType t) {
  switch (t) {
    case NodeType::Dir: return S_IFDIR;
    case NodeType::Reg: return S_IFREG;
    case NodeType::Lnk: return S_IFLNK;
    case NodeType::Chr: return S_IFCHR;
    case NodeType::Blk: return S_IFBLK;
    case NodeType::Fifo: return S_IFIFO;
    case NodeType::Sock: return S_IFSOCK;
  }
  return 0;
}

struct stat attr_of(const Resolution& r, fuse_ino_t ino) {
  struct stat st {};
  st.st_ino = ino;
  st.st_mode = type_bits(r.type) | (r.meta ? (r.meta->mode & 07777) : 0);
  st.st_nlink = r.type == NodeType::Dir ? 2 : 1;
  if (r.meta) {
    st.st_uid = r.meta->uid;
    st.st_gid = r.meta->gid;
    if (r.type == NodeType::Chr || r.type == NodeType::Blk) st.st_rdev = makedev(r.meta->rdev_major, r.meta->rdev_minor);
    if (r.type == NodeType::Lnk) st.st_size = static_cast<off_t>(r.meta->target.size());
  }
  if (r.type == NodeType::Reg) st.st_size = static_cast<off_t>(r.size);
  st.st_blksize = 4096;
  st.st_blocks = (st.st_size + 511) / 512;
  return st;
}

fuse_entry_param entry_of(const Resolution& r, fuse_ino_t ino) {
  fuse_entry_param e{};
  e.ino = ino;
  e.generation = 1;
  e.attr = attr_of(r, ino);
  e.attr_timeout = 0;
  e.entry_timeout = 0;
  return e;
}

void op_init(void*, fuse_conn_info* conn) {
  // Every lookup must reach the daemon: no readdirplus (it would prime dentries), no caching.
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
}

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  State& s = state(req);
  const Resolution* p = s.get(parent);
  if (!p) return void(fuse_reply_err(req, ESTALE));
  if (p->type != NodeType::Dir) return void(fuse_reply_err(req, ENOTDIR));
  Resolution r = s.model->resolve_child(*p, name);
  if (r.err) return void(fuse_reply_err(req, r.err));
  fuse_ino_t ino = s.remember(std::move(r));
  fuse_entry_param e = entry_of(*s.get(ino), ino);
  fuse_reply_entry(req, &e);
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  const Resolution* r = state(req).get(ino);
  if (!r) return void(fuse_reply_err(req, ESTALE));
  struct stat st = attr_of(*r, ino);
  fuse_reply_attr(req, &st, 0);
}

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  const Resolution* r = state(req).get(ino);
  if (!r) return void(fuse_reply_err(req, ESTALE));
  if (r->type != NodeType::Lnk || !r->meta) return void(fuse_reply_err(req, EINVAL));
  fuse_reply_readlink(req, r->meta->target.c_str());
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  State& s = state(req);
  const Resolution* r = s.get(ino);
  if (!r) return void(fuse_reply_err(req, ESTALE));
  if (r->type != NodeType::Dir) return void(fuse_reply_err(req, ENOTDIR));
  Listing l = s.model->readdir(*r);
  if (l.err) return void(fuse_reply_err(req, l.err));
  auto h = std::make_unique<DirHandle>();
  h->items.push_back({".", ino, S_IFDIR});
  h->items.push_back({"..", ino, S_IFDIR});
  for (const auto& name : l.names) {
    Resolution c = s.model->resolve_child(*s.get(ino), name);
    // A listed name that does not resolve (R16: listed but lstat fails) has no type to report.
    if (c.err) {
      h->items.push_back({name, 0xffffffffu, 0});
    } else {
      mode_t t = type_bits(c.type);
      h->items.push_back({name, s.remember(std::move(c)), t});
    }
  }
  fi->fh = reinterpret_cast<std::uint64_t>(h.release());
  fi->cache_readdir = 0;
  fi->keep_cache = 0;
  fuse_reply_open(req, fi);
}

void op_readdir(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  auto* h = reinterpret_cast<DirHandle*>(fi->fh);
  std::vector<char> buf(size);
  size_t used = 0;
  for (size_t i = static_cast<size_t>(off); i < h->items.size(); ++i) {
    struct stat st {};
    st.st_ino = h->items[i].ino;
    st.st_mode = h->items[i].type;
    size_t need = fuse_add_direntry(req, buf.data() + used, size - used, h->items[i].name.c_str(), &st,
                                    static_cast<off_t>(i + 1));
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void op_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  delete reinterpret_cast<DirHandle*>(fi->fh);
  fuse_reply_err(req, 0);
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  const Resolution* r = state(req).get(ino);
  if (!r) return void(fuse_reply_err(req, ESTALE));
  if (r->type == NodeType::Dir) return void(fuse_reply_err(req, EISDIR));
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) return void(fuse_reply_err(req, EROFS));
  if (r->open_err) return void(fuse_reply_err(req, r->open_err));
  if (r->type == NodeType::Reg && !r->data) return void(fuse_reply_err(req, EIO));
  // Direct I/O: every read reaches the daemon and returns exactly the model's bytes.
  fi->direct_io = 1;
  fi->keep_cache = 0;
  fuse_reply_open(req, fi);
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  const Resolution* r = state(req).get(ino);
  if (!r || !r->data) return void(fuse_reply_err(req, EIO));
  const Node& d = *r->data;
  const std::uint64_t total = std::max<std::uint64_t>(d.size, d.data.size());
  const auto start = static_cast<std::uint64_t>(off);
  if (off < 0 || start >= total) return void(fuse_reply_buf(req, nullptr, 0));
  const std::uint64_t n = std::min<std::uint64_t>(size, total - start);
  std::string out(n, '\0');
  if (start < d.data.size()) {
    std::uint64_t k = std::min<std::uint64_t>(n, d.data.size() - start);
    std::memcpy(out.data(), d.data.data() + start, k);
  }
  fuse_reply_buf(req, out.data(), out.size());
}

// The listed (visible) name of each real xattr of the node the model shows, and its value.
std::vector<std::pair<std::string, const std::string*>> visible_xattrs(const State& s, const Resolution& r) {
  std::vector<std::pair<std::string, const std::string*>> out;
  if (!r.meta) return out;
  for (const auto& [real, value] : r.meta->xattrs) {
    auto shown = listed_xattr_name(real, s.model->config().userxattr, s.model->semantics());
    if (shown) out.emplace_back(*shown, &value);
  }
  return out;
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  State& s = state(req);
  const Resolution* r = s.get(ino);
  if (!r) return void(fuse_reply_err(req, ESTALE));
  for (const auto& [shown, value] : visible_xattrs(s, *r)) {
    if (shown != name) continue;
    if (size == 0) return void(fuse_reply_xattr(req, value->size()));
    if (size < value->size()) return void(fuse_reply_err(req, ERANGE));
    return void(fuse_reply_buf(req, value->data(), value->size()));
  }
  fuse_reply_err(req, ENODATA);
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  State& s = state(req);
  const Resolution* r = s.get(ino);
  if (!r) return void(fuse_reply_err(req, ESTALE));
  std::string names;
  for (const auto& [shown, value] : visible_xattrs(s, *r)) {
    names += shown;
    names.push_back('\0');
  }
  if (size == 0) return void(fuse_reply_xattr(req, names.size()));
  if (size < names.size()) return void(fuse_reply_err(req, ERANGE));
  fuse_reply_buf(req, names.data(), names.size());
}

/// Closes the session in every path out of serve_model().
struct SessionGuard {
  fuse_session* se = nullptr;
  bool mounted = false;
  bool signals = false;
  ~SessionGuard() {
    if (!se) return;
    if (signals) fuse_remove_signal_handlers(se);
    if (mounted) fuse_session_unmount(se);
    fuse_session_destroy(se);
  }
};

}  // namespace

int serve_model(const Model& model, const std::string& mountpoint, const ServeOptions& opts) {
  State s;
  s.model = &model;
  Resolution root = model.resolve("/");
  if (root.err || root.type != NodeType::Dir)
    throw std::runtime_error("the model's root does not resolve to a directory");
  s.remember(std::move(root));

  fuse_lowlevel_ops ops{};
  ops.init = op_init;
  ops.lookup = op_lookup;
  ops.getattr = op_getattr;
  ops.readlink = op_readlink;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.releasedir = op_releasedir;
  ops.open = op_open;
  ops.read = op_read;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;

  std::vector<std::string> argv_s = {"ovlspec-serve-fuse", "-o", "ro,fsname=" + opts.fsname + ",subtype=ovlspec"};
  if (opts.debug) argv_s.push_back("-d");
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());

  SessionGuard g;
  g.se = fuse_session_new(&args, &ops, sizeof ops, &s);
  if (!g.se) throw std::runtime_error("fuse_session_new failed (bad FUSE options?)");
  if (opts.handle_signals) {
    if (fuse_set_signal_handlers(g.se) != 0) throw std::runtime_error("fuse_set_signal_handlers failed");
    g.signals = true;
  }
  if (fuse_session_mount(g.se, mountpoint.c_str()) != 0)
    throw std::runtime_error("cannot mount a FUSE filesystem on " + mountpoint + " (see the message above)");
  g.mounted = true;
  if (opts.on_mounted) opts.on_mounted();
  int rc = fuse_session_loop(g.se);
  return rc < 0 ? -rc : 0;
}

}  // namespace ovl
