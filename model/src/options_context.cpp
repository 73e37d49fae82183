// The overlay fs_context model: one parameter at a time (params.c:ovl_parse_param and the VFS
// around it), then create (ovl_fs_params_verify and ovl_fill_super's checks, in kernel order).
#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>

#include "options_context.hpp"

namespace ovl::detail {
namespace {

constexpr std::size_t kMaxStack = 500;  // OVL_MAX_STACK (R6)
constexpr int kMaxStackDepth = 2;       // FILESYSTEM_MAX_STACK_DEPTH (R6)

const char* redirect_name(RedirectMode m) {
  switch (m) {
    case RedirectMode::On: return "on";
    case RedirectMode::Follow: return "follow";
    case RedirectMode::NoFollow: return "nofollow";
  }
  return "?";
}
const char* verity_name(Verity v) {
  switch (v) {
    case Verity::Off: return "off";
    case Verity::On: return "on";
    case Verity::Require: return "require";
  }
  return "?";
}
const char* xino_name(Xino x) {
  switch (x) {
    case Xino::Off: return "off";
    case Xino::On: return "on";
    case Xino::Auto: return "auto";
  }
  return "?";
}
const char* uuid_name(Uuid u) {
  switch (u) {
    case Uuid::Off: return "off";
    case Uuid::On: return "on";
    case Uuid::Null: return "null";
    case Uuid::Auto: return "auto";
  }
  return "?";
}
const char* fsync_name(Fsync f) {
  switch (f) {
    case Fsync::Volatile: return "volatile";
    case Fsync::Auto: return "auto";
    case Fsync::Strict: return "strict";
  }
  return "?";
}

RedirectMode default_redirect(const ModuleParams& m) {
  return m.redirect_dir ? RedirectMode::On
                        : (m.redirect_always_follow ? RedirectMode::Follow : RedirectMode::NoFollow);
}

bool is_flag(const OptionSpec& s) { return s.kind == OptionKind::Flag || s.kind == OptionKind::FlagNo; }

/// canonical identity of a layer
const std::string& canon(const CtxLayer& l) { return l.info.canonical.empty() ? l.lookup : l.info.canonical; }

/// `anc` is a strict ancestor directory of `path` (both canonical, '/'-separated).
bool is_ancestor(const std::string& anc, const std::string& path) {
  if (anc.size() >= path.size()) return false;
  if (path.compare(0, anc.size(), anc) != 0) return false;
  return anc.back() == '/' || path[anc.size()] == '/';
}

}  // namespace

FsContext::FsContext(const ParseContext& pc, bool legacy)
    : pc_(pc),
      legacy_(legacy),
      source_set_(legacy),  // mount(2) passes the device name as "source" before the data
      redirect_(default_redirect(pc.module)),
      metacopy_(pc.module.metacopy),
      index_(pc.module.index),
      nfs_export_(pc.module.nfs_export),
      xino_(pc.module.xino_auto ? Xino::Auto : Xino::Off) {}

std::optional<MountError> FsContext::set_param(const Param& p) {
  // vfs_parse_sb_flag comes first and looks at the key only.
  if (const SbFlagSpec* f = find_sb_flag(p.key)) {
    bool* bit = f->flag == "SB_RDONLY"        ? &sb_ro_
                : f->flag == "SB_SYNCHRONOUS" ? &sb_sync_
                : f->flag == "SB_DIRSYNC"     ? &sb_dirsync_
                : f->flag == "SB_LAZYTIME"    ? &sb_lazytime_
                                              : &sb_mand_;
    *bit = f->sets;
    return std::nullopt;
  }
  // fs_lookup_key: an exact key of the wanted flag-ness, the "no" prefix for flag_no keys,
  // else an exact key of the other kind (which then fails its type check).
  const bool want_flag = p.type == ParamType::Flag;
  const OptionSpec* found = nullptr;
  const OptionSpec* other = nullptr;
  bool negated = false;
  for (const auto& o : kOptionTable) {
    if (o.key != p.key || pc_.semantics.kernel < o.since) continue;
    if (is_flag(o) == want_flag) {
      found = &o;
      break;
    }
    other = &o;
  }
  if (!found && want_flag && p.key.size() > 2 && p.key.compare(0, 2, "no") == 0) {
    for (const auto& o : kOptionTable) {
      if (o.key == std::string_view(p.key).substr(2) && o.kind == OptionKind::FlagNo &&
          !(pc_.semantics.kernel < o.since)) {
        found = &o;
        negated = true;
        break;
      }
    }
  }
  if (!found) found = other;
  if (found) return parse_overlay(p, *found, negated);
  if (p.key == "source") {
    if (p.type != ParamType::String) return refuse(EINVAL, "options.keys", "Non-string source", true);
    if (source_set_) return refuse(EINVAL, "options.keys", "Multiple sources", true);
    source_set_ = true;
    return std::nullopt;
  }
  return refuse(EINVAL, "options.keys", "Unknown parameter '" + p.key + "'", true);
}

std::optional<MountError> FsContext::parse_overlay(const Param& p, const OptionSpec& spec, bool negated) {
  const std::string bad = "Bad value for '" + p.key + "'";
  // __fs_parse: the type check of the spec.
  if (is_flag(spec)) {
    if (p.type != ParamType::Flag)
      return refuse(EINVAL, "options.keys", "Unexpected value for '" + p.key + "'", true);
  } else if (spec.kind == OptionKind::Enum) {
    if (p.type != ParamType::String) return refuse(EINVAL, "options.keys", bad, true);
    bool ok = false;
    for (auto v : option_values(spec)) ok = ok || v == p.value;
    if (!ok) return refuse(EINVAL, "options.keys", bad, true);
  } else if (spec.kind == OptionKind::StringEmpty) {
    if (p.type != ParamType::String) return refuse(EINVAL, "options.keys", bad, true);
  } else {  // FileOrString
    if (p.type == ParamType::Flag || (p.type == ParamType::String && p.value.empty()))
      return refuse(EINVAL, "options.keys", bad, true);
  }

  const std::string_view k = spec.key;
  const std::string& v = p.value;
  if (k == "lowerdir") return parse_lowerdir(v);
  if (k == "lowerdir+" || k == "datadir+" || k == "upperdir" || k == "workdir") return parse_layer(p, k);
  if (k == "default_permissions") {
    default_permissions_ = true;
  } else if (k == "redirect_dir") {
    redirect_ = v == "on" ? RedirectMode::On
                : v == "follow" ? RedirectMode::Follow
                : v == "nofollow" ? RedirectMode::NoFollow
                : (pc_.module.redirect_always_follow ? RedirectMode::Follow : RedirectMode::NoFollow);
    set_redirect_ = true;
  } else if (k == "index") {
    index_ = v == "on";
    set_index_ = true;
  } else if (k == "uuid") {
    uuid_ = v == "off" ? Uuid::Off : v == "null" ? Uuid::Null : v == "auto" ? Uuid::Auto : Uuid::On;
  } else if (k == "nfs_export") {
    nfs_export_ = v == "on";
    set_nfs_export_ = true;
  } else if (k == "xino") {
    xino_ = v == "off" ? Xino::Off : v == "auto" ? Xino::Auto : Xino::On;
  } else if (k == "metacopy") {
    metacopy_ = v == "on";
    set_metacopy_ = true;
  } else if (k == "verity") {
    verity_ = v == "off" ? Verity::Off : v == "on" ? Verity::On : Verity::Require;
  } else if (k == "fsync") {
    fsync_ = v == "volatile" ? Fsync::Volatile : v == "auto" ? Fsync::Auto : Fsync::Strict;
  } else if (k == "volatile") {
    fsync_ = Fsync::Volatile;
  } else if (k == "userxattr") {
    userxattr_ = true;
  } else if (k == "override_creds") {
    (void)negated;  // records or drops the creator's credentials; the mounter is in the fs userns
  }
  return std::nullopt;
}

std::optional<MountError> FsContext::parse_lowerdir(const std::string& value) {
  lowers_.clear();
  nr_data_ = 0;
  lowerdir_all_.reset();
  if (value.empty()) return std::nullopt;
  if (value[0] == ':') return refuse(EINVAL, "options.lowerdir", "cannot append lower layer", false);
  lowerdir_all_ = value;

  // ovl_parse_param_split_lowerdirs: cut at unescaped colons (escapes kept); "::" marks the next
  // component as data-only; ":::" and trailing colons are refused.
  struct Item {
    std::string text;
    bool data = false;
  };
  std::vector<Item> items(1);
  int colons = 0;
  bool pending_data = false;
  const std::size_t n = value.size();
  for (std::size_t i = 0;; ++i) {
    char c = i < n ? value[i] : '\0';
    if (c == '\\') {
      items.back().text += c;
      ++i;
      c = i < n ? value[i] : '\0';
    } else if (c == ':') {
      const bool next_colon = i + 1 < n && value[i + 1] == ':';
      ++colons;
      if (colons == 2 && next_colon)
        return refuse(EINVAL, "options.lowerdir",
                      "only single ':' or double '::' sequences of unescaped colons in lowerdir mount "
                      "option allowed.",
                      false);
      if (colons == 2) pending_data = true;
      if (!next_colon) items.push_back(Item{"", pending_data}), pending_data = false;
      continue;
    }
    if (c == '\0') {
      if (colons) return refuse(EINVAL, "options.lowerdir", "unescaped trailing colons in lowerdir mount option.", false);
      break;
    }
    items.back().text += c;
    colons = 0;
  }
  if (items.size() > kMaxStack)
    return refuse(EINVAL, "stack.limits", "too many lower directories, limit is 500", false);

  for (std::size_t i = 0; i < items.size(); ++i) {
    CtxLayer l;
    if (auto e = resolve("lowerdir", items[i].text, unescape(items[i].text), false, l)) return e;
    l.role = items[i].data ? Role::DataOnly : Role::Lower;
    if (auto e = check_dir("lowerdir", l)) return e;
    lowers_.push_back(std::move(l));
    if (items[i].data) ++nr_data_;
    if (i + 1 < items.size() && !items[i + 1].data && nr_data_ > 0 && !pc_.semantics.data_only_middle)
      return refuse(EINVAL, "options.lowerdir", "regular lower layers cannot follow data lower layers", false);
  }
  return std::nullopt;
}

std::optional<MountError> FsContext::resolve(std::string_view key, const std::string& name,
                                             const std::string& lookup, bool /*noesc*/, CtxLayer& out) {
  (void)key;
  out.name = name;
  out.lookup = lookup;
  if (lookup.empty()) return refuse(EINVAL, "options.path-errors", "empty lowerdir", false);
  out.info = pc_.probe ? pc_.probe(lookup) : PathInfo{};
  if (out.info.err != 0)
    return refuse(out.info.err, "options.path-errors",
                  "failed to resolve '" + lookup + "': -" + std::to_string(out.info.err), false);
  return std::nullopt;
}

std::optional<MountError> FsContext::parse_layer(const Param& p, std::string_view key) {
  const bool upper = key == "upperdir" || key == "workdir";
  CtxLayer l;
  if (p.type == ParamType::File) {
    // The descriptor names an existing object; the kernel records its d_path.
    l.lookup = p.value;
    l.info = pc_.probe ? pc_.probe(p.value) : PathInfo{};
    if (l.info.err != 0 || p.value.empty())  // open("") fails with ENOENT: there is no such descriptor
      throw std::invalid_argument("fsconfig " + std::string(key) + ": no descriptor can be opened on '" +
                                  p.value + "'");
    l.name = l.info.canonical.empty() ? p.value : l.info.canonical;
  } else if (auto e = resolve(key, p.value, upper ? unescape(p.value) : p.value, !upper, l)) {
    return e;
  }
  if (auto e = check_dir(key, l)) return e;
  if (key == "upperdir") {
    l.role = Role::Upper;
    upper_ = std::move(l);
  } else if (key == "workdir") {
    l.role = Role::Upper;
    work_ = std::move(l);
  } else {
    l.role = key == "datadir+" ? Role::DataOnly : Role::Lower;
    if (l.role == Role::DataOnly) ++nr_data_;
    lowers_.push_back(std::move(l));
  }
  return std::nullopt;
}

std::optional<MountError> FsContext::check_dir(std::string_view key, const CtxLayer& l) {
  if (!l.info.is_dir) return refuse(EINVAL, "options.path-errors", l.name + " is not a directory", true);
  if (key == "upperdir" || key == "workdir") {
    if (l.info.stack_depth > 0)  // an overlay (DCACHE_OP_REAL) cannot be written through
      return refuse(EINVAL, "stack.limits", "filesystem on " + l.name + " not supported as upperdir", true);
    return std::nullopt;
  }
  if (lowerdir_all_ && key != "lowerdir")
    return refuse(EINVAL, "options.lowerdir-plus", "lowerdir+ and datadir+ cannot follow lowerdir", true);
  if (nr_data_ > 0 && key == "lowerdir+" && !pc_.semantics.data_only_middle)
    return refuse(EINVAL, "options.lowerdir-plus", "regular lower layers cannot follow data layers", true);
  if (lowers_.size() == kMaxStack)
    return refuse(EINVAL, "stack.limits", "too many lower directories, limit is 500", true);
  return std::nullopt;
}

std::optional<MountError> FsContext::verify() {
  const bool has_upper = upper_.has_value();
  bool set_index = set_index_;
  if (!has_upper) {
    work_.reset();
    if (index_ && set_index) set_index = false;
    index_ = false;
    if (fsync_ == Fsync::Volatile) fsync_ = Fsync::Auto;
    if (uuid_ == Uuid::On) uuid_ = Uuid::Null;
    if (redirect_ == RedirectMode::Follow) redirect_ = RedirectMode::On;
  }
  // Before 6.16 verity needed metacopy (R60).
  if (pc_.semantics.kernel < KernelVersion{6, 16} && verity_ != Verity::Off && !metacopy_) {
    if (set_metacopy_)
      return refuse(EINVAL, "options.verity",
                    std::string("conflicting options: metacopy=off,verity=") + verity_name(verity_), false);
    metacopy_ = true;
  }
  if (metacopy_ && redirect_ != RedirectMode::On) {
    if (set_metacopy_ && set_redirect_)
      return refuse(EINVAL, "options.conflicts",
                    std::string("conflicting options: metacopy=on,redirect_dir=") + redirect_name(redirect_), false);
    if (set_redirect_)
      metacopy_ = false;
    else
      redirect_ = RedirectMode::On;
  }
  if (nfs_export_ && !index_) {
    if (!has_upper && redirect_ != RedirectMode::NoFollow) {
      nfs_export_ = false;
    } else if (set_nfs_export_ && set_index) {
      return refuse(EINVAL, "options.conflicts", "conflicting options: nfs_export=on,index=off", false);
    } else if (set_index) {
      nfs_export_ = false;
    } else {
      index_ = true;
    }
  }
  if (nfs_export_ && metacopy_) {
    if (set_nfs_export_ && set_metacopy_)
      return refuse(EINVAL, "options.conflicts", "conflicting options: nfs_export=on,metacopy=on", false);
    if (set_metacopy_ || verity_ != Verity::Off)
      nfs_export_ = false;
    else
      metacopy_ = false;
  }
  if (userxattr_) {
    if (set_redirect_ && redirect_ != RedirectMode::NoFollow)
      return refuse(EINVAL, "options.conflicts",
                    std::string("conflicting options: userxattr,redirect_dir=") + redirect_name(redirect_), false);
    if (metacopy_ && set_metacopy_)
      return refuse(EINVAL, "options.conflicts", "conflicting options: userxattr,metacopy=on", false);
    redirect_ = RedirectMode::NoFollow;
    metacopy_ = false;
  }
  if (pc_.semantics.kernel >= KernelVersion{6, 12} && !userxattr_ && !pc_.privileged) {
    const char* what = nullptr;
    if (set_redirect_ && redirect_ != RedirectMode::NoFollow)
      what = "redirect_dir requires";
    else if (metacopy_ && set_metacopy_)
      what = "metacopy requires";
    else if (verity_ != Verity::Off)
      what = "verity requires";
    else if (nr_data_ > 0)
      what = "lower data-only dirs require";
    if (what)
      return refuse(EPERM, "options.unprivileged",
                    std::string(what) + " permission to access trusted xattrs", false);
  }
  return std::nullopt;
}

std::optional<MountError> FsContext::check_layers() {
  if (lowers_.empty()) return refuse(EINVAL, "stack.min-layers", "missing 'lowerdir'", false);
  std::vector<const CtxLayer*> traps;
  if (upper_) {
    if (!work_) return refuse(EINVAL, "options.upper-work", "missing 'workdir'", false);
    if (upper_->info.mnt != work_->info.mnt)
      return refuse(EINVAL, "options.upper-work", "workdir and upperdir must reside under the same mount", false);
    const std::string& u = canon(*upper_);
    const std::string& w = canon(*work_);
    if (u == w || is_ancestor(u, w) || is_ancestor(w, u))
      return refuse(EINVAL, "options.upper-work", "workdir and upperdir must be separate subtrees", false);
    traps.push_back(&*upper_);
    traps.push_back(&*work_);
  }
  if (!upper_ && lowers_.size() == 1)
    return refuse(EINVAL, "stack.min-layers", "at least 2 lowerdir are needed while upperdir nonexistent", false);
  if (lowers_.size() == nr_data_)
    return refuse(EINVAL, "stack.min-layers", "at least one non-data lowerdir is required", false);
  // ovl_lower_dir: the new superblock sits one level above the deepest layer.
  int depth = upper_ ? upper_->info.stack_depth : 0;
  for (const auto& l : lowers_) depth = std::max(depth, l.info.stack_depth);
  if (depth + 1 > kMaxStackDepth) return refuse(EINVAL, "stack.limits", "maximum fs stacking depth exceeded", false);
  // ovl_get_layers: one trap inode per layer root; meeting one again is a conflict.
  for (const auto& l : lowers_) {
    for (const CtxLayer* t : traps) {
      if (t->info.fs == l.info.fs && canon(*t) == canon(l))
        return refuse(ELOOP, "stack.overlap", "conflicting lowerdir path", false);
    }
    traps.push_back(&l);
    // clone_private_mount: in a user namespace the mounts below a layer are locked to it.
    if (!pc_.privileged && l.info.has_submounts)
      return refuse(EINVAL, "options.unprivileged", "failed to clone lowerpath", false);
  }
  // ovl_check_overlapping_layers: no lower root below another layer's root.
  for (const auto& l : lowers_) {
    for (const CtxLayer* t : traps) {
      if (t->info.fs == l.info.fs && is_ancestor(canon(*t), canon(l)))
        return refuse(ELOOP, "stack.overlap", "overlapping lowerdir path", false);
    }
  }
  return std::nullopt;
}

MountResult FsContext::create() {
  if (auto e = verify()) return *e;
  if (auto e = check_layers()) return *e;
  MountConfig c;
  for (const auto& l : lowers_) c.lowers.push_back(LayerRef{l.lookup, l.role});
  // ovl_make_workdir: an upper that cannot store the overlay xattrs (trusted.* without
  // CAP_SYS_ADMIN, user.* on a filesystem without them) falls back, with warnings only.
  if (upper_ && !(userxattr_ ? pc_.upper_user_xattrs : pc_.privileged)) {
    redirect_ = RedirectMode::NoFollow;
    metacopy_ = false;
    index_ = false;
    if (uuid_ == Uuid::On || uuid_ == Uuid::Auto) uuid_ = Uuid::Null;
    if (xino_ == Xino::Auto) xino_ = Xino::Off;
  }
  // File handles need CAP_DAC_READ_SEARCH in the initial namespace (ovl_can_decode_fh):
  // without them the upper drops index, then nfs_export without index (ovl_make_workdir),
  // and any lower drops both when either is still asked for (ovl_lower_dir).
  const bool can_decode = pc_.file_handles && pc_.privileged;
  if (upper_ && !can_decode) index_ = false;
  if (upper_ && nfs_export_ && !index_) nfs_export_ = false;
  if (!can_decode && (nfs_export_ || (index_ && upper_))) index_ = nfs_export_ = false;
  // numfs: slot 0 is the upper's filesystem (reserved without an upper), then one per other
  // filesystem of the regular lowers. uuid=off needs a single one (else null).
  std::vector<std::uint64_t> fss;
  for (const auto& l : lowers_) {
    if (l.role != Role::Lower || (upper_ && l.info.fs == upper_->info.fs)) continue;
    if (std::find(fss.begin(), fss.end(), l.info.fs) == fss.end()) fss.push_back(l.info.fs);
  }
  const std::size_t numfs = 1 + fss.size();
  if (uuid_ == Uuid::Off && numfs > 1) {
    uuid_ = Uuid::Null;
  } else if (upper_ && (uuid_ == Uuid::Auto || uuid_ == Uuid::On)) {
    // ovl_init_uuid_xattr: uuid=auto on a fresh upper becomes on.
    if (uuid_ == Uuid::Auto && pc_.fresh_upper) uuid_ = Uuid::On;
  }
  // A mount without workdir (no upper) shows index=off whatever nfs_export asked for.
  if (!upper_) index_ = false;
  if (upper_) {
    c.upperdir = upper_->lookup;
    c.workdir = work_->lookup;
  }
  c.redirect = redirect_;
  c.metacopy = metacopy_;
  c.userxattr = userxattr_;
  c.verity = verity_;
  c.index = index_;
  c.nfs_export = nfs_export_;
  c.xino = xino_;
  c.uuid = uuid_;
  c.fsync = fsync_;
  c.default_permissions = default_permissions_;
  c.read_only = !upper_ || sb_ro_;
  c.mountinfo = render_mountinfo(c);
  return c;
}

std::string FsContext::render_mountinfo(const MountConfig& c) const {
  std::string s = c.read_only ? "ro" : "rw";
  if (sb_sync_) s += ",sync";
  if (sb_dirsync_) s += ",dirsync";
  if (sb_mand_) s += ",mand";
  if (sb_lazytime_) s += ",lazytime";
  auto opt = [&s](std::string_view k, std::string_view v) {
    s += ',';
    s += k;
    s += '=';
    s += mountinfo_escape(v);
  };
  if (lowerdir_all_) {
    opt("lowerdir", *lowerdir_all_);
  } else {
    for (const auto& l : lowers_)
      if (l.role == Role::Lower) opt("lowerdir+", l.name);
    for (const auto& l : lowers_)
      if (l.role == Role::DataOnly) opt("datadir+", l.name);
  }
  if (upper_) {
    opt("upperdir", upper_->name);
    opt("workdir", work_->name);
  }
  if (c.default_permissions) s += ",default_permissions";
  if (c.redirect != default_redirect(pc_.module)) s += std::string(",redirect_dir=") + redirect_name(c.redirect);
  if (c.index != pc_.module.index) s += std::string(",index=") + (c.index ? "on" : "off");
  if (c.uuid != Uuid::Auto) s += std::string(",uuid=") + uuid_name(c.uuid);
  if (c.nfs_export != pc_.module.nfs_export) s += std::string(",nfs_export=") + (c.nfs_export ? "on" : "off");
  bool same_fs = true;
  for (const auto& l : lowers_) same_fs = same_fs && l.info.fs == lowers_.front().info.fs;
  if (upper_ && !lowers_.empty()) same_fs = same_fs && upper_->info.fs == lowers_.front().info.fs;
  const Xino xino_def = pc_.module.xino_auto ? Xino::Auto : Xino::Off;
  if (c.xino != xino_def && !same_fs) s += std::string(",xino=") + xino_name(c.xino);
  if (c.metacopy != pc_.module.metacopy) s += std::string(",metacopy=") + (c.metacopy ? "on" : "off");
  if (c.fsync != Fsync::Auto) s += std::string(",fsync=") + fsync_name(c.fsync);
  if (c.userxattr) s += ",userxattr";
  if (c.verity != Verity::Off) s += std::string(",verity=") + verity_name(c.verity);
  return s;
}

}  // namespace ovl::detail
