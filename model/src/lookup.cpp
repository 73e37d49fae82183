// Per-path lookup: namei.c's ovl_lookup / ovl_lookup_layer / ovl_lookup_single, state by state
// (kernel-semantics.md 2.1), plus the lazy data-only lookup and the open-time checks.
#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "ovl/errnos.hpp"
#include "ovl/model.hpp"
#include "ovl/model_index.hpp"

namespace ovl {

using detail::ModelIndex;

namespace {

constexpr std::size_t kNameMax = 255;      // f_namelen of tmpfs/ext4 layers
constexpr int kMetacopyMinSize = 4;         // an empty metacopy xattr counts as this size (R42)

/// The kernel's struct ovl_lookup_data: the state carried from layer to layer.
struct LookupData {
  std::string name;
  bool is_dir = false;
  bool opaque = false;
  bool stop = false;
  bool last = false;
  bool xwhiteouts = false;
  bool redirect = false;       // some redirect xattr has been read (d->redirect != NULL)
  bool upperredirect = false;
  int metacopy = 0;            // size of the metacopy xattr last seen, 0 = none
  bool absolute_redirect = false;  // the last redirect xattr *read* was absolute (R39)
  bool dslash = false;         // dslash-redirect proposal: the redirect is for data-only layers only
  int meta_layer = -1;         // layer of the last metacopy file met
  std::vector<int> xw_layers;  // layers flagged by opaque=x at the last component
};

/// One object found in one layer.
struct Found {
  const Node* node = nullptr;
  std::string path;
};

/// One overlay lookup of one name: runs the kernel's state machine and records the trace.
class Lookup {
 public:
  /// brief: the trace keeps each clause once, at its first step, without text (what observe needs);
  /// holders (brief only): the layers, ascending, whose dir of the parent holds the name.
  Lookup(const Stack& stack, const MountConfig& config, const Semantics& sem, const ModelIndex& ix,
         Resolution& r, bool brief = false, const std::vector<int>* holders = nullptr)
      : stack_(stack), config_(config), sem_(sem), ix_(ix), r_(r), brief_(brief), holders_(brief ? holders : nullptr) {}

  void run(const Resolution& parent, std::string_view name);

 private:
  void note(const char* clause, std::string text) {
    if (!brief_)
      r_.trace.push_back({clause, std::move(text)});
    else if (std::none_of(r_.trace.begin(), r_.trace.end(), [&](const TraceStep& s) { return s.clause == clause; }))
      r_.trace.push_back({clause, {}});
  }
  const std::string& lbl(int layer) const { return ix_.label[layer]; }
  bool fail(int err, const char* clause, std::string text) {
    r_.err = err;
    note(clause, std::move(text));
    return false;
  }

  bool is_whiteout(const Node& n) const {
    if (n.is_chardev_whiteout()) return true;
    return sem_.has_xattr_whiteouts() && n.type == NodeType::Reg && n.size == 0 &&
           n.xattrs.count(ix_.x_whiteout) != 0;
  }
  bool is_trap(int layer, const std::string& path) const {
    for (const auto& [l, p] : stack_.traps)
      if (l == layer && p == path) return true;
    return false;
  }
  /// ovl_check_metacopy_xattr: 0 = not metacopy, >0 = xattr size (empty counts 4), <0 = -errno.
  int check_metacopy(const Node& n) const {
    if (n.type != NodeType::Reg) return 0;
    auto v = n.xattr(ix_.x_metacopy);
    if (!v) return 0;
    if (v->empty()) return kMetacopyMinSize;
    if (v->size() < static_cast<std::size_t>(kMetacopyMinSize) && sem_.kernel >= KernelVersion{6, 6}) return -EIO;
    return static_cast<int>(v->size());
  }
  bool check_follow(const LookupData& d, const std::string& where) {
    if (d.metacopy && !config_.metacopy)
      return fail(EPERM, "metacopy.off", where + ": refusing to follow metacopy origin (metacopy=off)");
    if ((d.redirect || d.upperredirect) && !ix_.follow)
      return fail(EPERM, "redirect.nofollow", where + ": refusing to follow redirect (redirect_dir=nofollow)");
    return true;
  }

  int check_redirect(int layer, const Node& n, const std::string& path, LookupData& d, std::size_t prelen,
                     std::string_view post);
  int single(int layer, const Node* base, const std::string& base_path, std::string_view comp,
             std::size_t prelen, std::string_view post, LookupData& d, Found& out);
  int layer_lookup(int layer, const Node* base, const std::string& base_path, LookupData& d, Found& out);
  void lookup_data_layers(const std::string& redirect, int below);
  int data_walk(int layer, const std::string& redirect, Found& out) const;

  const Stack& stack_;
  const MountConfig& config_;
  const Semantics& sem_;
  const ModelIndex& ix_;
  Resolution& r_;
  const bool brief_;
  const std::vector<int>* holders_;
};

int Lookup::check_redirect(int layer, const Node& n, const std::string& path, LookupData& d,
                           std::size_t prelen, std::string_view post) {
  const bool was_absolute = d.absolute_redirect;
  d.absolute_redirect = false;
  auto raw = n.xattr(ix_.x_redirect);
  if (!raw) {
    if (was_absolute && d.metacopy)
      note("data.redirect.reset", lbl(layer) + ": " + path +
                                      " has no redirect: the flag \"last redirect was absolute\" is cleared (R39)");
    return 0;
  }
  const std::string where = lbl(layer) + ": " + path;
  if (raw->empty()) {
    r_.err = EINVAL;
    note("redirect.syntax", where + " has an empty redirect: invalid redirect ((null)), lookup fails with EINVAL");
    return EINVAL;
  }
  // The kernel handles the value as a C string.
  std::string val(raw->substr(0, raw->find('\0')));
  bool dslash = false;
  if (sem_.dslash_redirect && n.type == NodeType::Reg && val.size() > 2 && val[0] == '/' && val[1] == '/' &&
      val[2] != '/') {
    dslash = true;
    val.erase(0, 1);
  }
  bool valid = true;
  if (!val.empty() && val[0] == '/') {
    std::size_t s = 1;
    while (true) {
      std::size_t next = val.find('/', s);
      std::size_t end = next == std::string::npos ? val.size() : next;
      if (end == s) {
        valid = false;
        break;
      }
      if (next == std::string::npos) break;
      s = next + 1;
    }
  } else if (val.find('/') != std::string::npos) {
    valid = false;
  }
  if (!valid) {
    r_.err = EINVAL;
    note("redirect.syntax", where + " has redirect \"" + val + "\": invalid redirect, lookup fails with EINVAL");
    return EINVAL;
  }
  const bool absolute = !val.empty() && val[0] == '/';
  std::string next_name = absolute ? val : d.name.substr(0, prelen) + val;
  next_name += post;
  if (absolute) {
    d.absolute_redirect = true;
    if (d.stop) note("redirect.absolute", where + ": an absolute redirect clears the stop set by an opaque ancestor (R15)");
    d.stop = false;
  }
  d.redirect = true;
  d.dslash = dslash;
  note(absolute ? "redirect.absolute" : "redirect.relative",
       where + " has redirect " + (dslash ? "/" : "") + val + (absolute ? " (absolute)" : " (relative)") +
           "; the name becomes " + next_name);
  if (dslash) note("proposal.dslash-redirect.resolve", where + ": a // redirect is resolved only in the data-only layers");
  d.name = std::move(next_name);
  return 0;
}

int Lookup::single(int layer, const Node* base, const std::string& base_path, std::string_view comp,
                   std::size_t prelen, std::string_view post, LookupData& d, Found& out) {
  out = {};
  const bool last_element = post.empty();
  const bool is_upper = layer == ix_.upper;
  if (comp.empty() || comp == "." || comp == "..") {
    r_.err = EACCES;
    note("lookup.walk-error", lbl(layer) + ": component \"" + std::string(comp) + "\" of " + d.name +
                                  " cannot be looked up in a layer: EACCES");
    return EACCES;
  }
  if (comp.size() > kNameMax) return 0;  // ENAMETOOLONG in a layer: not found there
  const Node* t = base->child(comp);
  if (!t) {  // the step met by every layer above the name's own: no text built when brief
    note("lookup.layer-step", brief_ ? std::string() : lbl(layer) + ": " + join_path(base_path, comp) + " is not present");
    return 0;
  }
  std::string path = join_path(base_path, comp);
  if (is_whiteout(*t)) {
    d.stop = d.opaque = true;
    if (t->type == NodeType::Chr)
      note("whiteout.chardev", lbl(layer) + ": " + path + " is a whiteout (char 0/0): stop");
    else
      note("whiteout.xattr", lbl(layer) + ": " + path + " is an xattr whiteout (size 0, overlay.whiteout): stop");
    return 0;
  }
  if (last_element && d.metacopy && t->type != NodeType::Reg) {
    d.stop = true;
    note("metacopy.data", lbl(layer) + ": " + path + " is a " + std::string(type_name(t->type)) +
                              ", not a regular file below a metacopy file: stop");
    return 0;
  }
  if (!t->is_dir()) {
    if (d.is_dir || !last_element) {
      d.stop = true;
      if (d.is_dir)
        note("lookup.dir-over-nondir", lbl(layer) + ": " + path + " is a " + std::string(type_name(t->type)) +
                                           " below a directory: the merge stops here");
      else
        note("lookup.layer-step", lbl(layer) + ": " + path + " is not a directory: the walk stops");
      return 0;
    }
    int mc = check_metacopy(*t);
    if (mc < 0) {
      r_.err = -mc;
      note("metacopy.too-small", lbl(layer) + ": " + path + " has a metacopy xattr of 1-3 bytes: EIO");
      return -mc;
    }
    d.metacopy = mc;
    d.stop = mc == 0;
    out = {t, path};
    if (mc == 0) {
      if (t->type == NodeType::Chr)
        note("whiteout.other-devices", lbl(layer) + ": " + path + " is a char device " + std::to_string(t->rdev_major) +
                                           "/" + std::to_string(t->rdev_minor) + ", not a whiteout: it hides what is below");
      else
        note("lookup.nondir-shadows", lbl(layer) + ": " + path + " is a " + std::string(type_name(t->type)) +
                                          ": it hides everything below");
      return 0;
    }
    d.meta_layer = layer;
    note("metacopy.data", lbl(layer) + ": " + path + " is a metacopy file" + (d.last ? " (last layer: redirect not read)" : ""));
    if (d.last) return 0;
  } else {
    if (!stack_.traps.empty() && is_trap(layer, path)) {
      r_.err = ELOOP;
      note("lookup.trap", lbl(layer) + ": " + path + " is the root of another layer of this mount (overlapping layers): ELOOP");
      return ELOOP;
    }
    if (last_element) d.is_dir = true;
    if (d.last) {
      out = {t, path};
      note("lookup.last-layer", lbl(layer) + ": " + path + " is a directory in the last layer: its xattrs are not read");
      return 0;
    }
    char val = detail::opaque_value(*t, ix_.x_opaque);
    if (last_element && !is_upper && val == 'x' && sem_.has_xattr_whiteouts()) {
      d.xwhiteouts = true;
      d.xw_layers.push_back(layer);
      note("opaque.x-lower", lbl(layer) + ": " + path + " has opaque=x: xattr whiteouts marker, not opaque");
    } else if (val == 'y') {
      d.stop = true;
      if (last_element) d.opaque = true;
      out = {t, path};
      note("opaque.y", lbl(layer) + ": " + path + " is opaque (opaque=y): nothing below is merged, its redirect is not read");
      return 0;
    } else if (val == 'x' && is_upper && last_element) {
      note("opaque.x-upper", lbl(layer) + ": " + path + " has opaque=x in the upper: ignored");
    }
    if (last_element) note("lookup.merge", lbl(layer) + ": " + path + " is a directory");
  }
  int err = check_redirect(layer, *t, path, d, prelen, post);
  if (err) return err;
  out = {t, path};
  return 0;
}

int Lookup::layer_lookup(int layer, const Node* base, const std::string& base_path, LookupData& d, Found& out) {
  out = {};
  if (d.name.empty() || d.name[0] != '/') return single(layer, base, base_path, d.name, 0, "", d, out);
  // An absolute name is walked component by component from this layer's root (R8, R31).
  const Node* cur = &stack_.layers[layer].tree->root();
  std::string cur_path = "/";
  std::size_t pos = 1;
  while (cur && cur->is_dir()) {
    std::size_t next = d.name.find('/', pos);
    if (next == std::string::npos) next = d.name.size();
    std::string comp = d.name.substr(pos, next - pos);
    std::string post = d.name.substr(next);
    Found f;
    int err = single(layer, cur, cur_path, comp, pos, post, d, f);
    if (err) return err;
    cur = f.node;
    cur_path = std::move(f.path);
    if (post.empty()) {
      if (cur) out = {cur, cur_path};
      return 0;
    }
    pos = d.name.size() - post.size() + 1;
  }
  return 0;
}

int Lookup::data_walk(int layer, const std::string& redirect, Found& out) const {
  // vfs_path_lookup from the layer root with LOOKUP_BENEATH | LOOKUP_NO_SYMLINKS | LOOKUP_NO_XDEV.
  std::vector<const Node*> chain{&stack_.layers[layer].tree->root()};
  std::vector<std::string> names;
  std::size_t i = 0;
  while (i < redirect.size()) {
    while (i < redirect.size() && redirect[i] == '/') ++i;
    if (i >= redirect.size()) break;
    std::size_t j = redirect.find('/', i);
    if (j == std::string::npos) j = redirect.size();
    std::string comp = redirect.substr(i, j - i);
    bool last = redirect.find_first_not_of('/', j) == std::string::npos;
    i = j;
    const Node* cur = chain.back();
    if (!cur->is_dir()) return ENOTDIR;
    if (comp == ".") continue;
    if (comp == "..") {
      if (chain.size() == 1) return EXDEV;  // escaping the layer root under LOOKUP_BENEATH
      chain.pop_back();
      names.pop_back();
      continue;
    }
    const Node* child = cur->child(comp);
    if (!child) return ENOENT;
    if (child->type == NodeType::Lnk && !last) return ELOOP;  // LOOKUP_NO_SYMLINKS
    chain.push_back(child);
    names.push_back(comp);
  }
  if (chain.back()->type != NodeType::Reg) return ENOENT;  // only a regular file is data
  std::string p;
  for (const auto& n : names) p += "/" + n;
  out = {chain.back(), p.empty() ? "/" : p};
  return 0;
}

void Lookup::lookup_data_layers(const std::string& redirect, int below) {
  int err = ENOENT;
  for (int layer : ix_.data) {
    if (layer <= below) continue;
    Found f;
    err = data_walk(layer, redirect, f);
    if (!err) {
      r_.data = f.node;
      r_.data_at = LayerPath{layer, f.path};
      note("data.resolve", lbl(layer) + ": " + f.path + " is a regular file: it supplies the data");
      return;
    }
    note("data.open-error", lbl(layer) + ": " + redirect + " fails with " + errno_name(err) + ": next data-only layer");
  }
  r_.open_err = err;
  note("data.open-error", "no data-only layer holds " + redirect + ": stat works, open fails with " + errno_name(err) +
                           " (the error of the last data layer tried)");
}

void Lookup::run(const Resolution& parent, std::string_view name) {
  if (parent.err) {
    r_.err = parent.err;
    return;
  }
  if (parent.type != NodeType::Dir) {
    r_.err = ENOTDIR;
    note("lookup.sequence", parent.path + " is not a directory: ENOTDIR");
    return;
  }
  if (name.size() > kNameMax) {
    r_.err = ENAMETOOLONG;
    note("lookup.namelen", std::string(r_.path) + ": the name is longer than the layers allow: ENAMETOOLONG");
    return;
  }
  LookupData d;
  d.name = std::string(name);
  // The parent's stacks: its upper dir and its lower stack (poe); the root's lower stack is roe.
  const Node* upperdir = nullptr;
  std::string upperdir_path;
  std::vector<std::pair<int, const Node*>> poe;
  std::vector<const std::string*> poe_paths;  // into parent.merged, or kRoot
  static const std::string kRoot = "/";
  poe.reserve(parent.merged.size());
  poe_paths.reserve(parent.merged.size());
  for (std::size_t k = 0; k < parent.merged.size(); ++k) {
    if (parent.merged[k].layer == ix_.upper) {
      upperdir = parent.merged_nodes[k];
      upperdir_path = parent.merged[k].path;
    } else {
      poe.emplace_back(parent.merged[k].layer, parent.merged_nodes[k]);
      poe_paths.push_back(&parent.merged[k].path);
    }
  }
  bool poe_is_roe = parent.path == "/";
  auto use_roe = [&] {
    poe.clear();
    poe_paths.clear();
    for (int l : ix_.regular) {
      poe.emplace_back(l, &stack_.layers[l].tree->root());
      poe_paths.push_back(&kRoot);
    }
    poe_is_roe = true;
  };
  d.last = ix_.check_redirect ? false : poe.empty();

  Found upper;
  bool uppermetacopy = false;
  int metacopy_size = 0;
  if (upperdir) {
    if (layer_lookup(ix_.upper, upperdir, upperdir_path, d, upper)) return;
    if (upper.node && !d.is_dir) {
      uppermetacopy = d.metacopy != 0;
      metacopy_size = d.metacopy;
    }
    if (d.redirect) {
      d.upperredirect = true;
      if (d.name[0] == '/' && !poe_is_roe) use_roe();
    }
  }

  const bool unified = sem_.has_unified_follow_check();
  std::vector<Found> stack;
  std::vector<int> stack_layers;
  if (d.dslash) note("proposal.dslash-redirect.resolve", "no regular lower layer is consulted for a // redirect");
  // With the holders known, a plain lookup (no metacopy, no redirect: the name is unchanged and
  // the follow check passes) passes over the layers without the name: in each, all the kernel
  // does is find nothing ("not present"), and a brief trace keeps that clause once anyway.
  const bool name_ok = !name.empty() && name != "." && name != "..";
  auto next_holder = [&](std::size_t i) {  // the first position >= i whose layer holds the name
    auto h = std::lower_bound(holders_->begin(), holders_->end(), poe[i].first);
    if (h == holders_->end()) return poe.size();
    auto at = std::lower_bound(poe.begin() + static_cast<std::ptrdiff_t>(i), poe.end(), *h,
                               [](const std::pair<int, const Node*>& e, int l) { return e.first < l; });
    return static_cast<std::size_t>(at - poe.begin());
  };
  for (std::size_t i = 0; !d.stop && !d.dslash && i < poe.size(); ++i) {
    if (holders_ && name_ok && !d.metacopy && !d.redirect && !d.upperredirect) {
      const std::size_t j = next_holder(i);
      if (j != i) note("lookup.layer-step", {});
      if (j >= poe.size()) break;
      i = j;
    }
    const int layer = poe[i].first;
    if (unified && !check_follow(d, lbl(layer))) return;
    if (!ix_.check_redirect)
      d.last = i == poe.size() - 1;
    else if (d.is_dir || ix_.data.empty())
      d.last = layer == ix_.lowest_regular;
    Found f;
    if (layer_lookup(layer, poe[i].second, *poe_paths[i], d, f)) return;
    if (!f.node) continue;
    if (!unified && !d.dslash && (uppermetacopy || d.metacopy) && !config_.metacopy) {
      fail(EPERM, "metacopy.off", lbl(layer) + ": refusing to follow metacopy origin (metacopy=off, before 6.16)");
      return;
    }
    if (!upper.node && !d.is_dir && stack.empty() && d.metacopy) metacopy_size = d.metacopy;
    if (d.metacopy && !stack.empty()) {
      note("metacopy.data", lbl(layer) + ": " + f.path + " is an intermediate metacopy file: not kept");
    } else {
      stack.push_back(f);
      stack_layers.push_back(layer);
    }
    if (!unified && d.redirect && !ix_.follow) {
      fail(EPERM, "redirect.nofollow", lbl(layer) + ": refusing to follow redirect (nofollow, before 6.16)");
      return;
    }
    if (d.stop) break;
    if (d.redirect && d.name[0] == '/' && !poe_is_roe) {
      use_roe();
      i = static_cast<std::size_t>(ix_.regular_pos[layer]);  // resume below this layer
    }
  }

  bool deferred = false;
  if (d.metacopy && !stack.empty() && !ix_.data.empty() && d.absolute_redirect) {
    d.metacopy = 0;
    deferred = true;
    note(upper.node ? "data.redirect.order" : "data.lowest-layer",
         "metacopy still without data after the regular layers, absolute redirect " + d.name +
             ": data is looked up lazily in the data-only layers at open");
  } else if (d.dslash) {
    note("proposal.dslash-redirect.follow", "a // data redirect is exempt from the follow check");
  } else if (unified && !check_follow(d, "after the lower layers")) {
    return;
  }
  if (d.metacopy || (uppermetacopy && stack.empty())) {
    const char* clause = "metacopy.no-data";
    if (d.metacopy && !ix_.data.empty() && d.redirect && d.name[0] == '/' && !d.absolute_redirect)
      clause = "data.redirect.reset";
    else if (uppermetacopy && stack.empty() && !ix_.data.empty() && d.absolute_redirect)
      clause = "data.upper";
    fail(EIO, clause, r_.path + ": metacopy with no lower data found: EIO");
    return;
  }
  if (!upper.node && stack.empty()) {
    r_.err = ENOENT;
    note("lookup.negative", r_.path + " is in no layer (or is whited out): ENOENT");
    return;
  }

  // Build the answer: attributes from the topmost object (R50, R45).
  if (upper.node) {
    r_.merged.push_back({ix_.upper, upper.path});
    r_.merged_nodes.push_back(upper.node);
  }
  for (std::size_t k = 0; k < stack.size(); ++k) {
    r_.merged.push_back({stack_layers[k], stack[k].path});
    r_.merged_nodes.push_back(stack[k].node);
  }
  r_.meta = r_.merged_nodes.front();
  r_.meta_at = r_.merged.front();
  r_.type = r_.meta->type;
  if (r_.type == NodeType::Dir) {
    r_.merge_dir = (upper.node && !stack.empty()) || stack.size() > 1 || r_.meta->xattrs.count(ix_.x_origin) != 0;
    r_.xwhiteouts = d.xwhiteouts;
    r_.xwhiteout_layers = d.xw_layers;
    if (r_.merged.size() > 1) {
      std::string names;
      for (const auto& lp : r_.merged) names += (names.empty() ? "" : ", ") + lbl(lp.layer);
      note("lookup.merge", r_.path + " merges " + names);
    }
    return;
  }
  if (r_.type != NodeType::Reg) return;
  r_.size = r_.meta->size;
  r_.metacopy = uppermetacopy || metacopy_size > 0;
  if (r_.metacopy) note("metacopy.attrs", r_.path + ": size and attributes come from " + lbl(r_.meta_at.layer));
  if (upper.node && !uppermetacopy) {
    r_.data = upper.node;
    r_.data_at = r_.merged.front();
  } else if (deferred) {
    r_.data_deferred = true;
    const int below = sem_.data_only_middle ? d.meta_layer : -1;
    if (sem_.data_only_middle) note("proposal.data-only-middle.resolve", "only data-only layers below " + lbl(d.meta_layer) + " are searched");
    lookup_data_layers(d.name, below);
  } else {
    r_.data = r_.merged_nodes.back();
    r_.data_at = r_.merged.back();
    if (r_.metacopy) note("metacopy.data", r_.path + ": data comes from " + lbl(r_.data_at->layer) + " " + r_.data_at->path);
  }
  // Open-time verity check (R46); CONFIG_FS_VERITY is off, so a digest can never be verified.
  const bool is_metacopy_dentry = upper.node ? uppermetacopy : (stack.size() + (deferred ? 1 : 0)) > 1;
  if (!r_.open_err && config_.verity != Verity::Off && is_metacopy_dentry) {
    const bool has_digest = metacopy_size > kMetacopyMinSize;
    if (has_digest) {
      r_.open_err = EIO;
      note("verity.check", r_.path + ": the metacopy xattr carries a digest and the data file has no fs-verity digest: open fails with EIO");
    } else if (config_.verity == Verity::Require) {
      r_.open_err = EIO;
      note("verity.check", r_.path + ": verity=require and the metacopy xattr has no digest: open fails with EIO");
    }
  }
}

}  // namespace

Model::Model(Stack stack, MountConfig config, Semantics semantics)
    : stack_(std::move(stack)), config_(std::move(config)), semantics_(semantics) {
  for (const auto& l : stack_.layers)
    if (!l.tree) throw std::invalid_argument("layer '" + l.name + "' has no tree");
  index_ = std::make_shared<const ModelIndex>(stack_, config_, semantics_);
}

Resolution Model::resolve_child(const Resolution& parent, std::string_view name) const {
  Resolution r;
  r.path = join_path(parent.path.empty() ? "/" : parent.path, name);
  Lookup(stack_, config_, semantics_, *index_, r).run(parent, name);
  return r;
}

Resolution Model::resolve_child_brief(const Resolution& parent, std::string_view name,
                                         const std::vector<int>* holders) const {
  Resolution r;
  r.path = join_path(parent.path.empty() ? "/" : parent.path, name);
  Lookup(stack_, config_, semantics_, *index_, r, true, holders).run(parent, name);
  return r;
}

static Resolution root_resolution(const Stack& stack, const ModelIndex& ix) {
  Resolution r;
  r.path = "/";
  r.type = NodeType::Dir;
  r.merge_dir = true;  // the root is always iterated as a merge dir (R2)
  if (ix.upper >= 0) {
    r.merged.push_back({ix.upper, "/"});
    r.merged_nodes.push_back(&stack.layers[ix.upper].tree->root());
  }
  for (int l : ix.regular) {
    r.merged.push_back({l, "/"});
    r.merged_nodes.push_back(&stack.layers[l].tree->root());
    if (ix.root_x[l]) {
      r.xwhiteouts = true;
      r.xwhiteout_layers.push_back(l);
    }
  }
  if (r.merged.empty()) {
    r.err = ENOENT;
    r.trace.push_back({"stack.root", "the stack has no upper and no regular lower layer"});
    return r;
  }
  r.meta = r.merged_nodes.front();
  r.meta_at = r.merged.front();
  std::string names;
  for (const auto& lp : r.merged) names += (names.empty() ? "" : ", ") + ix.label[lp.layer];
  r.trace.push_back({"stack.root", "/ merges the roots of " + names + "; opaque and redirect xattrs on roots are ignored"});
  if (r.xwhiteouts) r.trace.push_back({"stack.root", "a lower root has opaque=x: the root carries the xwhiteouts flag"});
  return r;
}

Resolution Model::resolve(std::string_view path) const {
  std::vector<std::string> parts = split_abs_path(path);
  Resolution r = root_resolution(stack_, *index_);
  for (const auto& part : parts) {
    if (r.err) break;
    Resolution next = resolve_child(r, part);
    next.trace.insert(next.trace.begin(), r.trace.begin(), r.trace.end());
    r = std::move(next);
  }
  return r;
}

std::vector<std::string> Resolution::clauses() const {
  std::vector<std::string> out;
  for (const auto& s : trace)
    if (std::find(out.begin(), out.end(), s.clause) == out.end()) out.push_back(s.clause);
  return out;
}

}  // namespace ovl
