// The parts of the batching transform that GenCase (batch.cpp) and Case (case_batch.cpp) share:
// the renaming of names and redirect values, and the xwhiteouts setter/reader analysis on a flat
// list of entries. Internal to ovl_generators.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ovl/node.hpp"
#include "ovl/stack.hpp"

namespace ovl::gen::detail {

/// trusted.overlay.redirect or user.overlay.redirect (escaped names are not ours).
bool is_redirect_name(const std::string& name);
/// trusted.overlay.opaque or user.overlay.opaque.
bool is_opaque_name(const std::string& name);
/// "a" for "/a/b" and "/a".
std::string first_component(const std::string& path);
/// An absolute redirect with the components that stand at the root renamed for case k.
std::string rename_absolute(const std::string& value, std::size_t k);
/// A redirect value of case k after renaming: absolute values at any depth, relative values
/// of a top-level entry (a sibling at the root); everything else unchanged.
std::string rename_redirect(const std::string& value, std::size_t k, bool top_level);

/// One entry of a case as the flag analysis sees it.
struct FlatEntry {
  Role role = Role::Lower;
  std::string path;
  NodeType type = NodeType::Reg;
  const std::map<std::string, std::string>* xattrs = nullptr;
};

/// Whether some non-root entry carries opaque=x (a setter of layer xwhiteouts flags).
bool has_xwhiteout_marker(const std::vector<FlatEntry>& entries);
/// Whether the case may read layer xwhiteouts flags (see batch.hpp).
bool flag_sensitive(const std::vector<FlatEntry>& entries);

/// The layers (bit i = layer i of the case, layers past 63 share bit 63) whose xwhiteouts flag a
/// case sets, and those whose flag it reads without deciding it itself (see batch.hpp).
struct LayerFlags {
  std::uint64_t sets = 0;   // layers where a non-root entry carries opaque=x
  std::uint64_t reads = 0;  // lower layers with a regular file with xattrs that readdir of a flagged dir
                            // of the case may check, where the case has no opaque=x of its own there
};
/// entries[i] lies in layer layer_of[i]; `opaque_name` is the opaque xattr the mount reads
/// ("trusted.overlay.opaque", or "user.overlay.opaque" under userxattr): only that one decides a
/// layer for the case itself (the other namespace's opaque=x is just an xattr to the kernel).
LayerFlags layer_flags(const std::vector<FlatEntry>& entries, const std::vector<int>& layer_of,
                       const std::string& opaque_name);

/// The LayerFlags of a batch so far; a member conflicts when it reads a layer another member
/// sets, or sets one another reads.
struct LayerFlagSet {
  std::uint64_t sets = 0, reads = 0;
  bool conflict = false;
  bool admits(const LayerFlags& f) const { return !(f.sets & reads) && !(f.reads & sets); }
  void add(const LayerFlags& f) {
    conflict |= !admits(f);
    sets |= f.sets;
    reads |= f.reads;
  }
};

/// The layer-blind rule (Case batching): a setter sets every layer, a reader reads every layer.
inline LayerFlags coarse_layer_flags(bool setter, bool reader) {
  return {setter ? ~std::uint64_t{0} : 0, reader ? ~std::uint64_t{0} : 0};
}

/// The plan both transforms use: case i (of n) joins the oldest open batch of its key(i) whose
/// members' flags admit flags_of(i), else opens one; a batch closes at max_size. Cases that are
/// not batchable(i), and every case when max_size <= 1, run alone. Indices, deterministic.
template <class Batchable, class Key, class Flags>
std::vector<std::vector<std::size_t>> plan_first_fit(std::size_t n, std::size_t max_size, Batchable batchable, Key key,
                                                     Flags flags_of) {
  std::vector<std::vector<std::size_t>> out;
  std::vector<LayerFlagSet> flags;                       // per batch
  std::map<std::string, std::vector<std::size_t>> open;  // key -> batches with room, oldest first
  for (std::size_t i = 0; i < n; ++i) {
    if (max_size <= 1 || !batchable(i)) {
      out.push_back({i});
      flags.emplace_back();
      continue;
    }
    auto& list = open[key(i)];
    const LayerFlags mine = flags_of(i);
    std::size_t chosen = out.size();
    for (std::size_t b : list) {
      if (flags[b].admits(mine)) {
        chosen = b;
        break;
      }
    }
    if (chosen == out.size()) {
      out.push_back({});
      flags.emplace_back();
      list.push_back(chosen);
    }
    out[chosen].push_back(i);
    flags[chosen].add(mine);
    if (out[chosen].size() >= max_size) std::erase(list, chosen);
  }
  return out;
}

}  // namespace ovl::gen::detail
