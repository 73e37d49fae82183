// The state file of `ovlspec fuzz` (DIR/fuzz-state.json): the run's settings and its last
// checkpoint, rewritten atomically after every chunk so that `ovlspec fuzz --resume DIR` can go
// on after a kill or a power loss without repeating finished cases.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "ovl/fuzz.hpp"

namespace ovl::cli {

/// What a fuzz run was asked to do (a resumed run must keep it).
struct FuzzSettings {
  std::uint64_t seed = 1;
  std::vector<std::string> targets;
  std::string kernel;     // --kernel as given ("" = the target's own level)
  std::string semantics;  // the model's semantics name, e.g. "kernel-6.18"
  std::size_t batch = 64;
  std::size_t shrink_tries = 500;
  std::size_t cases = 0;  // 0: no case limit
  double minutes = 0;     // 0: no time limit
  bool operator==(const FuzzSettings&) const = default;
};

/// The contents of fuzz-state.json.
struct FuzzState {
  FuzzSettings settings;
  gen::FuzzCheckpoint checkpoint;  // new_errors is not stored (they are in results.jsonl)
};

/// The state file's path in an output directory.
std::filesystem::path fuzz_state_path(const std::filesystem::path& out_dir);
/// Writes the state to a temporary file, fsyncs it and renames it over the state file.
/// Throws std::runtime_error naming the path when it cannot.
void save_fuzz_state(const std::filesystem::path& out_dir, const FuzzState& s);
/// Reads the state file; throws BadInput ("FILE: what was expected") when it is missing or
/// malformed.
FuzzState load_fuzz_state(const std::filesystem::path& out_dir);

}  // namespace ovl::cli
