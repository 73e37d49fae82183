// readdir of an overlay directory (readdir.c): real dirs as they are, merge dirs layer by layer
// with first-wins, whiteout dropping and the R23 xattr-whiteout rule (R64-R66).
#include <algorithm>
#include <cerrno>

#include "ovl/errnos.hpp"
#include "ovl/model.hpp"
#include "ovl/model_index.hpp"

namespace ovl {

namespace {

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

Listing Model::readdir(const Resolution& dir) const {
  const detail::ModelIndex& ix = *index_;
  Listing l;
  if (dir.err || dir.type != NodeType::Dir || dir.merged_nodes.empty()) {
    l.err = dir.err ? dir.err : ENOTDIR;
    return l;
  }
  const std::string& label0 = ix.label[dir.merged.front().layer];
  const bool has_upper = dir.merged.front().layer == ix.upper;
  // An impure upper dir makes readdir look every upper entry up (d_ino fix-up, ovl_cache_update).
  const bool impure = has_upper && detail::opaque_value(*dir.merged_nodes.front(), ix.x_impure) == 'y';
  auto lookup_error = [&](const std::string& name, int err) {
    l.err = err;
    l.names.clear();
    l.trace.push_back({"readdir.impure", dir.path + ": looking up " + name + " while reading the directory fails with " +
                                             errno_name(err) + ": readdir fails"});
    return l;
  };

  if (!dir.merge_dir) {
    const Node& real = *dir.merged_nodes.front();
    l.trace.push_back({"readdir.merge-dir", dir.path + " is not a merge dir: " + label0 +
                                                "'s directory is listed as it is, whiteouts included"});
    l.names.reserve(real.children.size());
    for (const auto& [name, child] : real.children) {
      if (impure) {
        Resolution c = resolve_child_brief(dir, name);
        if (c.err && c.err != ENOENT) return lookup_error(name, c.err);
      }
      if (child->is_chardev_whiteout() || (child->type == NodeType::Reg && child->size == 0 &&
                                            child->xattrs.count(ix.x_whiteout) && semantics_.has_xattr_whiteouts()))
        l.trace.push_back({"readdir.whiteout-listed", dir.path + "/" + name + " is a whiteout in " + label0 +
                                                          ": listed, but lookup gives ENOENT"});
      l.names.push_back(name);
    }
    return l;
  }

  {
    std::string names;
    for (const auto& lp : dir.merged) names += (names.empty() ? "" : ", ") + ix.label[lp.layer];
    l.trace.push_back({"readdir.layers", dir.path + " is a merge dir: reads " + names + ", first occurrence wins"});
  }
  // A k-way merge of the layers' sorted child maps: each name once, from its topmost layer. A
  // min-heap of layer positions ordered by (current name, position) keeps it O(entries x log layers).
  const std::size_t n = dir.merged_nodes.size();
  using It = std::map<std::string, std::unique_ptr<Node>, std::less<>>::const_iterator;
  std::vector<It> it(n), end(n);
  std::vector<std::size_t> heap, holders;
  for (std::size_t k = 0; k < n; ++k) {
    it[k] = dir.merged_nodes[k]->children.begin();
    end[k] = dir.merged_nodes[k]->children.end();
    if (it[k] != end[k]) heap.push_back(k);
  }
  auto after = [&](std::size_t a, std::size_t b) {  // heap order: a comes out after b
    const int c = it[a]->first.compare(it[b]->first);
    return c != 0 ? c > 0 : a > b;
  };
  std::make_heap(heap.begin(), heap.end(), after);
  auto pop = [&] {
    std::pop_heap(heap.begin(), heap.end(), after);
    const std::size_t k = heap.back();
    heap.pop_back();
    return k;
  };
  // Entries whose readdir-time lookup fails with an error other than ENOENT: the first is dropped,
  // a second may make the whole listing fail (readdir.lookup-errors).
  std::vector<std::string> failing;
  auto lookup_failed = [&](const std::string& where, int err) {
    if (err == ENOENT) return;
    failing.push_back(where + " (" + errno_name(err) + ")");
  };
  while (!heap.empty()) {
    const std::size_t win = pop();  // the topmost layer holding the least name
    const std::string name = it[win]->first;
    const Node& node = *it[win]->second;
    holders.assign(1, win);
    while (!heap.empty() && it[heap.front()]->first == name) holders.push_back(pop());
    for (std::size_t k : holders)
      if (++it[k] != end[k]) {
        heap.push_back(k);
        std::push_heap(heap.begin(), heap.end(), after);
      }
    const int layer = dir.merged[win].layer;
    const std::string where = ix.label[layer] + ": " + join_path(dir.path, name);
    if (node.is_chardev_whiteout()) {
      l.trace.push_back({"readdir.first-wins", where + " is a whiteout: the name is dropped"});
      continue;
    }
    const bool upper_entry = layer == ix.upper;
    if (!upper_entry && node.type == NodeType::Reg && dir.xwhiteouts && semantics_.has_xattr_whiteouts()) {
      // The layer flag is set when lookup met opaque=x in that layer: on its root at mount, on this
      // dir's copy in the lookup just made, or on any other dir looked up earlier (order-dependent).
      const bool certain = ix.root_x[layer] || contains(dir.xwhiteout_layers, layer);
      if (certain || ix.any_x[layer]) {
        // The check is a full overlay lookup: a negative result or any lookup error drops the
        // name (verified on 6.18.44: an EPERM entry is dropped, readdir succeeds).
        Resolution c = resolve_child_brief(dir, name);
        if (c.err) {
          lookup_failed(where, c.err);
          if (certain) {
            l.trace.push_back({"readdir.xwhiteout-hidden", where + " looks up as " + errno_name(c.err) +
                                                               " in a dir marked opaque=x: dropped"});
            continue;
          }
          l.children_unspecified = true;
          l.trace.push_back({"readdir.xwhiteout-hidden", where + " is dropped only if " + ix.label[layer] +
                                                             " was flagged by an earlier lookup: the listing is unspecified"});
        }
      }
    } else if (upper_entry && impure) {
      Resolution c = resolve_child_brief(dir, name);
      if (c.err) {
        lookup_failed(where, c.err);
        l.trace.push_back({"readdir.impure", where + ": impure upper dir, the lookup gives " + errno_name(c.err) +
                                                 ": the entry is dropped as stale"});
        continue;
      }
    }
    if (node.type == NodeType::Reg && node.size == 0 && node.xattrs.count(ix.x_whiteout) &&
        semantics_.has_xattr_whiteouts())
      l.trace.push_back({"readdir.whiteout-listed", where + " is an xattr whiteout: listed, but lookup gives ENOENT"});
    l.names.push_back(name);
  }
  if (failing.size() >= 2) {
    std::string list;
    for (const auto& f : failing) list += (list.empty() ? "" : ", ") + f;
    l.children_unspecified = true;
    l.errno_unspecified = true;
    l.trace.push_back({"readdir.lookup-errors", dir.path + ": " + std::to_string(failing.size()) +
                                                    " entries fail their lookup while the directory is read (" + list +
                                                    "): the listing may drop them or fail with one of their errnos"});
  }
  return l;
}

}  // namespace ovl
