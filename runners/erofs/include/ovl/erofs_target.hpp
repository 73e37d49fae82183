// The `erofs` target: the in-kernel overlay stacked on EROFS images of the case's regular
// lower layers (the composefs layout), data-only layers and the upper staying directories.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ovl/batch_run.hpp"
#include "ovl/target.hpp"

namespace ovl {

/// How the erofs target shares images and mounts between cases.
struct ErofsOptions {
  /// run_many unites cases with equal options into one stack (one image per regular lower
  /// position for the whole group, one overlay mount), as the fuzzer's batching does.
  bool batch = true;
  std::size_t max_batch = 32;
  /// Before a shared mount, the model must predict the same Observation for every member
  /// inside the batch as alone; otherwise the members run alone (counted as fallbacks).
  bool vet_with_model = true;
};

/// The kernel overlay with every regular lower layer of a case served from an EROFS image
/// (built with mkfs.erofs, mounted over the layer's own directory so option strings stay as
/// written). Data-only layers, the upper and the workdir stay tmpfs directories.
class ErofsTarget : public Target {
 public:
  explicit ErofsTarget(TargetOptions opts = {}, ErofsOptions eopts = {});
  std::string name() const override { return "erofs"; }
  std::optional<std::string> unavailable() const override;
  std::optional<std::string> cannot_run(const Case& c) const override;
  TargetOutcome run(const Case& c) override;
  /// Cases this target can run share images and mounts (batch_run.hpp) when ErofsOptions::batch.
  std::vector<TargetOutcome> run_many(const std::vector<const Case*>& cases) override;
  KernelVersion level() const override;
  /// False when c has a regular lower (served from an EROFS image while the upper and the
  /// data-only layers stay on tmpfs).
  bool layers_on_one_filesystem(const Case& c) const override;

  /// What run_many shared over this target's life.
  const BatchRunStats& batch_stats() const { return stats_; }

  /// Seconds spent in mkfs.erofs over this target's life (for the benchmark).
  double mkfs_seconds() const { return mkfs_seconds_; }
  /// Images built over this target's life.
  std::size_t images_built() const { return images_; }
  /// statfs f_type of each imaged layer directory of the last run, taken after mounting (tests
  /// check that the overlay really stacked on EROFS).
  const std::vector<unsigned long>& last_layer_fs_types() const { return last_fs_types_; }

 private:
  /// Builds, mounts and probes one (possibly united) case that cannot_run accepted.
  TargetOutcome run_stack(const Case& c);
  /// Why a united batch should not run (cannot_run, or the model sees a member differently).
  std::optional<std::string> vet(const Case& batch, const std::vector<const Case*>& members) const;

  TargetOptions opts_;
  ErofsOptions eopts_;
  BatchRunStats stats_;
  double mkfs_seconds_ = 0;
  std::size_t images_ = 0;
  std::vector<unsigned long> last_fs_types_;
};

/// The layer names of c that the erofs target serves from images: those its options name as
/// regular lowers (by the first component of the path, "./A" and "A/sub" included). A layer
/// named both as a lower and as upper or workdir makes the case one the target cannot run.
std::vector<std::string> erofs_layer_names(const Case& c);

}  // namespace ovl
