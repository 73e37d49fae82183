// The target registry and the in-process model target (run_targets.hpp).
#include <chrono>
#include <stdexcept>

#include "ovl/predict.hpp"
#include "ovl/run.hpp"
#include "ovl/run_targets.hpp"

// Each target library is optional at build time: ovl_conformance links it when it exists
// (reports/CMakeLists.txt), and its registration below is compiled when its header is found.
#if __has_include("ovl/limited_predict.hpp")
#include "ovl/limited_predict.hpp"
#define OVL_RUN_HAVE_LIMITED_PREDICT 1
#endif
#if __has_include("ovl/kernel_target.hpp")
#include "ovl/kernel_target.hpp"
#define OVL_RUN_HAVE_KERNEL_TARGETS 1
#endif
#if __has_include("ovl/erofs_target.hpp")
#include "ovl/erofs_target.hpp"
#define OVL_RUN_HAVE_EROFS_TARGET 1
#endif
#if __has_include("ovl/fuse_targets.hpp")
#include "ovl/fuse_targets.hpp"
#define OVL_RUN_HAVE_FUSE_TARGETS 1
#endif

namespace ovl {

void TargetRegistry::add(std::string name, std::string summary, Make make) {
  for (auto& e : entries_)
    if (e.name == name) {
      e = {std::move(name), std::move(summary), std::move(make)};
      return;
    }
  entries_.push_back({std::move(name), std::move(summary), std::move(make)});
}

const TargetRegistry::Entry* TargetRegistry::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

std::vector<std::string> TargetRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

namespace {

/// The reference model as a target: its observation is the prediction itself.
class ModelTarget : public Target {
 public:
  ModelTarget(ModuleParams module, std::optional<KernelVersion> level, TargetOptions options)
      : module_(module), level_(level), options_(options) {}
  std::string name() const override { return "model"; }
  std::optional<std::string> unavailable() const override { return std::nullopt; }
  std::optional<std::string> cannot_run(const Case&) const override { return std::nullopt; }
  KernelVersion level() const override { return level_ ? *level_ : KernelVersion{6, 18}; }
  TargetOutcome run(const Case& c) override {
    TargetOutcome out;
    auto t0 = std::chrono::steady_clock::now();
    try {
#ifdef OVL_RUN_HAVE_LIMITED_PREDICT
      PredictLimits limits;
      limits.timeout_seconds = options_.case_timeout_seconds;
      limits.memory_mib = options_.memory_limit_mib;
      out.observation = predict_within_limits(c, case_semantics(c, level(), true), module_, limits).observation;
#else
      out.observation = predict(c, case_semantics(c, level(), true), module_).observation;
#endif
      out.kind = TargetOutcome::Kind::Observed;
    } catch (const std::exception& e) {
      out.kind = TargetOutcome::Kind::Error;
      out.reason = std::string("the model failed: ") + e.what();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
  }

 private:
  ModuleParams module_;
  std::optional<KernelVersion> level_;
  TargetOptions options_;
};

}  // namespace

std::unique_ptr<Target> make_model_target(const ModuleParams& module, std::optional<KernelVersion> level,
                                          const TargetOptions& options) {
  return std::make_unique<ModelTarget>(module, level, options);
}

TargetRegistry builtin_targets() {
  TargetRegistry r;
  r.add("model", "the reference model in process: checks each case's own expect lines",
        [](const TargetContext& ctx) { return make_model_target(ctx.module, ctx.level, ctx.options); });
#ifdef OVL_RUN_HAVE_KERNEL_TARGETS
  r.add("kernel", "the running kernel's overlayfs, mounted with the legacy mount(2) string",
        [](const TargetContext& ctx) { return std::make_unique<KernelTarget>(MountApi::Legacy, ctx.options); });
  r.add("kernel-fsconfig", "the running kernel's overlayfs, mounted with fsopen/fsconfig/fsmount",
        [](const TargetContext& ctx) { return std::make_unique<KernelTarget>(MountApi::Fsconfig, ctx.options); });
#endif
#ifdef OVL_RUN_HAVE_FUSE_TARGETS
  auto fuse_options = [](const TargetContext& ctx) {
    FuseTargetOptions o;
    o.base = ctx.options;
    o.module = ctx.module;
    o.level = ctx.level;
    return o;
  };
  r.add("model-fuse", "the reference model served by our libfuse3 daemon, probed like a real mount",
        [fuse_options](const TargetContext& ctx) { return make_model_fuse_target(fuse_options(ctx)); });
  r.add("fuse-overlayfs", "Debian's fuse-overlayfs (cases needing what it lacks are skipped)",
        [fuse_options](const TargetContext& ctx) { return make_fuse_overlayfs_target(fuse_options(ctx)); });
#endif
#ifdef OVL_RUN_HAVE_EROFS_TARGET
  r.add("erofs", "the kernel overlay on EROFS images of the regular lowers (mkfs.erofs; composefs layout)",
        [](const TargetContext& ctx) { return std::make_unique<ErofsTarget>(ctx.options); });
#endif
  // New targets: one r.add(name, summary, factory) line here (guarded like the ones above).
  return r;
}

}  // namespace ovl
