// The predicted Observation: the same walk the prober makes on a real mount (model/README.md),
// each child resolved from its parent's resolution, plus the R16 ESTALE analysis.
#include <algorithm>
#include <cerrno>
#include <map>
#include <string_view>
#include <unordered_map>
#include <stdexcept>

#include "ovl/errnos.hpp"
#include "ovl/model.hpp"
#include "ovl/model_index.hpp"
#include "observe_walk.hpp"
#include "ovl/sha256.hpp"
#include "ovl/xattr_names.hpp"

namespace ovl {

namespace {

constexpr std::size_t kMaxDepth = 2048;

/// Walks the predicted mount from "/" and records every entry with its clauses.
class Walker {
 public:
  Walker(const Model& m, const ObserveOptions& opts) : m_(m), opts_(opts) {
    for (std::size_t i = 0; i < m.stack().layers.size(); ++i)
      if (m.stack().layers[i].role != Role::DataOnly) probe_layers_.push_back(static_cast<int>(i));
  }

  void run() {
    Resolution root = m_.resolve("/");
    std::vector<const Node*> same;
    for (int l : probe_layers_) same.push_back(&m_.stack().layers[l].tree->root());
    visit(root, same, 0);
    mark_estale();
  }

  std::vector<Entry> entries;
  std::vector<std::pair<std::string, std::vector<std::string>>> clauses;

 private:
  /// One resolution that the kernel hashes by its first lower object (inode.c:ovl_hash_bylower).
  struct Hashed {
    std::size_t entry;
    bool is_dir;
    int upper_layer;  // -1 without upper
    std::string upper_path;
  };

  std::size_t emit(const Resolution& r) {
    if (opts_.max_entries && entries.size() >= opts_.max_entries)
      throw std::length_error("observation exceeds " + std::to_string(opts_.max_entries) + " entries at " + r.path);
    const auto& stack = m_.stack();
    Entry e;
    e.path = r.path;
    if (r.err) {
      e.err = errno_name(r.err);
    } else {
      e.type = r.type;
      e.mode = r.meta->mode & 07777;
      auto xs = visible_overlay_xattrs(*r.meta, m_.config().userxattr, m_.semantics());
      if (!xs.empty()) e.xattrs = std::move(xs);
      if (r.type == NodeType::Reg) {
        e.size = r.size;
        if (r.open_err)
          e.open_err = errno_name(r.open_err);
        else if (r.data)
          e.content = sha256_hex(r.data->data, r.data->size);
      } else if (r.type == NodeType::Lnk) {
        e.target = r.meta->target;
      }
      const LayerPath& src = r.metacopy && r.data_at ? *r.data_at : r.meta_at;
      e.source = Source{stack.layers[src.layer].name, src.path};
      track_hash(r, entries.size());
    }
    entries.push_back(std::move(e));
    clauses.emplace_back(r.path, r.clauses());
    return entries.size() - 1;
  }

  void track_hash(const Resolution& r, std::size_t idx) {
    const int upper = m_.stack().has_upper() ? 0 : -1;
    std::size_t first_lower = 0;
    while (first_lower < r.merged.size() && r.merged[first_lower].layer == upper) ++first_lower;
    if (first_lower >= r.merged.size() || r.path == "/") return;
    Hashed h{idx, r.type == NodeType::Dir, first_lower > 0 ? upper : -1, first_lower > 0 ? r.merged[0].path : ""};
    hashed_[{r.merged[first_lower].layer, r.merged[first_lower].path}].push_back(std::move(h));
  }

  void visit(const Resolution& dir, const std::vector<const Node*>& same, std::size_t depth) {
    if (depth > kMaxDepth) throw std::length_error("observation deeper than " + std::to_string(kMaxDepth) + " at " + dir.path);
    std::size_t idx = emit(dir);
    if (dir.err || dir.type != NodeType::Dir) return;
    Listing l = m_.readdir(dir);
    {
      Entry& e = entries[idx];
      if (l.err) {
        e.readdir_err = errno_name(l.err);
      } else {
        e.children = l.names;
        if (l.children_unspecified) e.unspecified.push_back("children");
        if (l.errno_unspecified) e.unspecified.push_back("readdir_errno");
      }
      auto& cl = clauses[idx].second;
      for (const auto& s : l.trace)
        if (std::find(cl.begin(), cl.end(), s.clause) == cl.end()) cl.push_back(s.clause);
    }
    // A failed listing names nothing: the walk goes on with the hidden-name probes alone.
    if (l.err) l.names.clear();
    // Which of the merged layers hold each name, so that a lookup visits only those (without
    // this, a name in the 500th layer costs 499 empty steps).
    std::unordered_map<std::string_view, std::vector<int>> holders;
    for (std::size_t k = 0; k < dir.merged_nodes.size(); ++k)
      if (dir.merged_nodes[k]->is_dir())
        for (const auto& [name, child] : dir.merged_nodes[k]->children) holders[name].push_back(dir.merged[k].layer);
    for (auto& [name, layers] : holders) std::sort(layers.begin(), layers.end());
    auto lookup = [&](const std::string& name) {
      auto h = holders.find(name);
      static const std::vector<int> none;
      return m_.resolve_child_brief(dir, name, h == holders.end() ? &none : &h->second);
    };
    auto child_same = [&](std::string_view name) {
      std::vector<const Node*> out(same.size(), nullptr);
      for (std::size_t k = 0; k < same.size(); ++k)
        if (same[k] && same[k]->is_dir()) out[k] = same[k]->child(name);
      return out;
    };
    for (const auto& name : l.names) {
      Resolution c = lookup(name);
      if (!c.err && c.type == NodeType::Dir) {
        visit(c, child_same(name), depth + 1);
      } else {
        std::size_t k = emit(c);
        // A listed name that looks up as ENOENT is seen only if the listing keeps it (it may
        // drop it, or fail, when its children are unspecified).
        if ((l.children_unspecified || l.errno_unspecified) && c.err == ENOENT)
          add_unique(entries[k].unspecified, "present");
      }
    }
    if (!opts_.probe_hidden) return;
    // Names present at this path in the upper or a regular lower that readdir did not list.
    std::vector<std::string> hidden;
    for (const Node* n : same) {
      if (!n || !n->is_dir()) continue;
      for (const auto& [name, child] : n->children)
        if (!std::binary_search(l.names.begin(), l.names.end(), name)) hidden.push_back(name);
    }
    std::sort(hidden.begin(), hidden.end());
    hidden.erase(std::unique(hidden.begin(), hidden.end()), hidden.end());
    for (const auto& name : hidden) {
      Resolution c = lookup(name);
      if (c.err == ENOENT) continue;
      if (!c.err && c.type == NodeType::Dir)
        visit(c, child_same(name), depth + 1);
      else
        emit(c);
    }
  }

  /// R16: an inode hashed by a lower object is shared by every path that reaches that object; a
  /// later lookup whose upper differs fails with ESTALE, so which one fails depends on the order.
  void mark_estale() {
    for (auto& [key, group] : hashed_) {
      if (group.size() < 2) continue;
      bool differ = false;
      for (const auto& h : group)
        differ |= h.upper_layer != group[0].upper_layer || h.upper_path != group[0].upper_path;
      if (differ) mark_aliases(group);
      for (const auto& h : group) {
        // Directories: any second path to the same lower dir is cache-dependent (ESTALE, or the
        // dcache moving the alias). Non-directories: only a lookup with an upper can fail.
        if (!(h.is_dir || (differ && h.upper_layer >= 0))) continue;
        Entry& e = entries[h.entry];
        add_unique(e.unspecified, "errno");
        add_unique(clauses[h.entry].second, "redirect.estale");
        if (!h.is_dir) continue;
        // Below a dir that may be ESTALE the walk may find nothing: its subtree (contiguous in
        // walk order) may be absent.
        const std::string prefix = e.path + "/";
        for (std::size_t j = h.entry + 1; j < entries.size() && entries[j].path.starts_with(prefix); ++j) {
          add_unique(entries[j].unspecified, "present");
          add_unique(clauses[j].second, "redirect.estale");
        }
      }
    }
  }

  /// lookup.inode-alias: non-directories that share their first lower object but differ in their
  /// upper share one cached inode; whichever path is looked up first decides what the others show:
  /// its attributes, and what open finds (its metacopy and verity state). So every field on which
  /// the members' own predictions differ is unspecified for all of them (observed on 6.18.44: a
  /// lower-only path showing an upper metacopy's st_size, and its open failing with the metacopy's
  /// verity=require EIO).
  void mark_aliases(const std::vector<Hashed>& group) {
    std::vector<std::size_t> files;
    for (const auto& h : group)
      if (!h.is_dir) files.push_back(h.entry);
    if (files.size() < 2) return;
    auto differs = [&](auto field) {
      for (std::size_t k : files)
        if (!(entries[k].*field == entries[files[0]].*field)) return true;
      return false;
    };
    std::vector<const char*> open;
    if (differs(&Entry::size)) open.push_back("size");
    if (differs(&Entry::mode)) open.push_back("mode");
    if (differs(&Entry::xattrs)) open.push_back("xattrs");
    if (differs(&Entry::content) || differs(&Entry::open_err)) {
      open.push_back("content");
      open.push_back("open_errno");
    }
    for (std::size_t k : files) {
      for (const char* field : open) add_unique(entries[k].unspecified, field);
      if (!open.empty()) add_unique(clauses[k].second, "lookup.inode-alias");
    }
  }

  static void add_unique(std::vector<std::string>& v, const std::string& x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
  }

  const Model& m_;
  const ObserveOptions& opts_;
  std::vector<int> probe_layers_;
  std::map<std::pair<int, std::string>, std::vector<Hashed>> hashed_;
};

}  // namespace

Observation Model::observe(const ObserveOptions& opts) const {
  Walker w(*this, opts);
  w.run();
  Observation o;
  o.entries = std::move(w.entries);
  o.normalize();
  return o;
}

std::vector<std::pair<std::string, std::vector<std::string>>> Model::clause_map(const ObserveOptions& opts) const {
  Walker w(*this, opts);
  w.run();
  auto out = std::move(w.clauses);
  std::sort(out.begin(), out.end());
  return out;
}

ObservedWithClauses detail::observe_with_clauses(const Model& m, const ObserveOptions& opts) {
  Walker w(m, opts);
  w.run();
  ObservedWithClauses out;
  out.first.entries = std::move(w.entries);
  out.first.normalize();
  out.second = std::move(w.clauses);
  std::sort(out.second.begin(), out.second.end());
  return out;
}

}  // namespace ovl
