// Registers the FUSE targets with the run orchestrator's TargetRegistry (run_targets.hpp).
// Header-only and generic, so that ovl_fuse need not link ovl_conformance: the caller (which
// links both) includes run_targets.hpp and calls register_fuse_targets(registry).
#pragma once
#include "ovl/fuse_targets.hpp"

namespace ovl {

/// Adds "model-fuse" and "fuse-overlayfs" to a TargetRegistry.
template <class Registry>
void register_fuse_targets(Registry& r) {
  auto options_of = [](const auto& ctx) {
    FuseTargetOptions o;
    o.base = ctx.options;
    o.module = ctx.module;
    o.level = ctx.level;
    return o;
  };
  r.add("model-fuse", "the model served by ovlspec's libfuse3 daemon, probed like a mount (tests daemon and prober)",
        [options_of](const auto& ctx) { return make_model_fuse_target(options_of(ctx)); });
  r.add("fuse-overlayfs", "fuse-overlayfs (Debian 1.10) as a child daemon; missing features are skipped",
        [options_of](const auto& ctx) { return make_fuse_overlayfs_target(options_of(ctx)); });
}

}  // namespace ovl
