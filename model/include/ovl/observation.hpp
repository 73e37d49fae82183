// The Observation (schema ovlspec.observation/1): what a mount shows, path by path. The one
// contract between the model, every target, the diff and the reports (DESIGN.md).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ovl/node.hpp"

namespace ovl {

inline constexpr const char* kObservationSchema = "ovlspec.observation/1";

/// The model's explanation of where an entry came from (never compared).
struct Source {
  std::string layer;  // the layer name as written in the mount options
  std::string path;   // path within that layer
  bool operator==(const Source&) const = default;
};

/// One visible path. Absent optionals are omitted from JSON; errno excludes every other field.
struct Entry {
  std::string path;
  std::optional<std::string> err;           // "errno": lstat failed
  std::optional<NodeType> type;
  std::optional<std::uint32_t> mode;        // permission bits, printed as "0755"
  std::optional<std::uint64_t> size;        // reg
  std::optional<std::string> content;       // reg: sha256 hex of what a read returns
  std::optional<std::string> open_err;      // "open_errno", reg
  std::optional<std::string> target;        // lnk
  std::optional<std::vector<std::string>> children;  // dir, sorted
  std::optional<std::string> readdir_err;   // "readdir_errno", dir
  std::optional<std::vector<std::string>> xattrs;    // visible names containing ".overlay.", sorted
  std::optional<Source> source;             // model only
  /// Fields whose value the spec leaves open for this path (e.g. "errno" under R16): any target
  /// value is accepted; "present" means the target may also lack the path (below an R16 dir).
  /// Model only; serialized as "unspecified".
  std::vector<std::string> unspecified;

  bool operator==(const Entry&) const = default;
};

/// Whether the mount was made, and if not, why.
struct MountStatus {
  bool ok = true;
  std::string err;      // "EINVAL" when !ok
  std::string clause;   // model only
  std::string message;  // kernel message text (fs_context log or dmesg)
  bool operator==(const MountStatus&) const = default;
};

/// A whole Observation: mount status and entries sorted by path.
struct Observation {
  MountStatus mount;
  std::vector<Entry> entries;

  /// Sorts entries by path and every list inside them; call before comparing or printing.
  void normalize();
  const Entry* find(std::string_view path) const;
};

nlohmann::json to_json(const Observation& o);
nlohmann::json to_json(const Entry& e);
/// Parses schema ovlspec.observation/1; throws std::invalid_argument naming the bad field.
Observation observation_from_json(const nlohmann::json& j);
Entry entry_from_json(const nlohmann::json& j);

/// One field of one path where a target and the model differ.
struct Divergence {
  std::string path;      // "" for the mount itself
  std::string field;     // schema field name: "errno", "type", "content", "mount.errno", "present" …
  std::string model;     // the model's value as text ("absent" when missing)
  std::string target;    // the target's value as text
  std::vector<std::string> clauses;  // the clauses the model used for this path
};

/// Which fields diff compares; mode is off by default because materialized layers may not keep it.
struct DiffOptions {
  bool compare_mode = false;
  bool compare_mount_message = false;
};

/// Compares a target's Observation with the model's. Source is never compared; fields the model
/// marks unspecified accept any value. `clauses_of(path)` supplies the clause trace of each path.
std::vector<Divergence> diff(const Observation& model, const Observation& target,
                             const DiffOptions& opts = {},
                             const std::vector<std::pair<std::string, std::vector<std::string>>>& clauses = {});

}  // namespace ovl
