// The reference model: lookup, readdir and the predicted Observation of a mounted stack.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovl/config.hpp"
#include "ovl/observation.hpp"
#include "ovl/semantics.hpp"
#include "ovl/stack.hpp"

namespace ovl {

namespace detail {
struct ModelIndex;  // per-model precomputed layer roles and xattr names (model_index.hpp)
}

/// One step of a resolution: the clause applied and what it did, in words.
struct TraceStep {
  std::string clause;
  std::string text;
};

/// A place in the stack: a layer index (into Stack::layers) and a path inside that layer.
struct LayerPath {
  int layer = -1;
  std::string path;
  bool operator==(const LayerPath&) const = default;
};

/// The model's answer for one path.
struct Resolution {
  int err = 0;                        // lstat errno; 0 when the path resolves
  NodeType type = NodeType::Dir;
  const Node* meta = nullptr;         // the node whose attributes and xattrs are shown
  LayerPath meta_at;
  std::vector<LayerPath> merged;      // dirs: every directory merged, top first
  bool merge_dir = false;             // iterated as a merge dir (R64)
  bool xwhiteouts = false;            // dir carries the xwhiteouts flag (R23)
  std::vector<int> xwhiteout_layers;  // layers whose dir has opaque=x (R23)
  std::optional<LayerPath> data_at;   // reg: where read() gets bytes
  const Node* data = nullptr;
  int open_err = 0;                   // reg: open errno (R37, R46)
  std::uint64_t size = 0;
  std::vector<TraceStep> trace;
  std::string path;                   // the overlay path this answers for
  std::vector<const Node*> merged_nodes;  // the nodes of `merged`, same order; for non-dirs the
                                      // lower stack (upper, top lower entry, data file)
  bool metacopy = false;              // reg: assembled from a metacopy file (R44)
  bool data_deferred = false;         // reg: data looked up lazily in data-only layers (R37)

  std::vector<std::string> clauses() const;  // unique clause ids of the trace, in order
};

/// The listing of one directory.
struct Listing {
  int err = 0;                        // readdir errno
  std::vector<std::string> names;     // sorted; "." and ".." excluded
  std::vector<TraceStep> trace;
  bool children_unspecified = false;  // the set depends on lookup-cache state (R23 layer flags)
  bool errno_unspecified = false;     // may also fail: two or more entries' checks fail (readdir.lookup-errors)
};

/// What to include in an Observation besides the readdir walk.
struct ObserveOptions {
  /// Also probe names that exist in any regular layer beside a visible directory's listed names,
  /// and report those that resolve although readdir hides them.
  bool probe_hidden = true;
  /// Stop after this many entries (0 = no limit); exceeding it is an error.
  std::size_t max_entries = 0;
};

/// A stack mounted with a configuration, under a semantics: the executable spec.
class Model {
 public:
  Model(Stack stack, MountConfig config, Semantics semantics);

  /// Resolves one absolute path ("/", "/a/b") component by component, as lookup does.
  Resolution resolve(std::string_view path) const;
  /// Resolves one name inside an already resolved directory (one ovl_lookup step): the way
  /// observe() walks in O(entries x layers).
  Resolution resolve_child(const Resolution& parent, std::string_view name) const;
  /// The same answer, but its trace names each clause once, at its first step, without text:
  /// what clauses() needs, without the O(layers) step texts (observe's walk, readdir's checks).
  /// `holders`, if given: the stack indices, ascending, of the layers among parent.merged whose
  /// directory holds `name`; the lookup then passes over the others without visiting them.
  Resolution resolve_child_brief(const Resolution& parent, std::string_view name,
                                 const std::vector<int>* holders = nullptr) const;
  /// Lists a resolved directory (R64–R66).
  Listing readdir(const Resolution& dir) const;
  /// The full predicted Observation, with `source` filled in.
  Observation observe(const ObserveOptions& opts = {}) const;
  /// For every entry of the last observe(): its path and the clauses behind it.
  std::vector<std::pair<std::string, std::vector<std::string>>> clause_map(const ObserveOptions& opts = {}) const;

  const Stack& stack() const { return stack_; }
  const MountConfig& config() const { return config_; }
  const Semantics& semantics() const { return semantics_; }

 private:
  Stack stack_;
  MountConfig config_;
  Semantics semantics_;
  std::shared_ptr<const detail::ModelIndex> index_;
};

}  // namespace ovl
