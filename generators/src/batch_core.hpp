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

/// Who sets and who reads layer xwhiteouts flags in a batch, layer-blind (see batch.hpp).
struct FlagCount {
  int setters = 0, sensitive = 0, both = 0;
  void add(bool setter, bool reader) {
    setters += setter;
    sensitive += reader;
    both += setter && reader;
  }
  /// Every case that reads flags sees no setter but itself.
  bool ok() const { return sensitive == 0 || setters == 0 || (setters == 1 && sensitive == 1 && both == 1); }
};

}  // namespace ovl::gen::detail
