// `ovlspec check-image`: EROFS images (or directories) over an object store — the composefs
// layout — predicted by the model, mounted by the kernel in the sandbox, and every metacopy
// redirect audited for capture by a regular layer (R38) and for dangling (open error, R39).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/divergence_table.hpp"
#include "ovl/features.hpp"
#include "ovl/layer_reader.hpp"
#include "ovl/sandbox.hpp"
#if __has_include("ovl/image_check.hpp")
#include "ovl/erofs_image.hpp"
#include "ovl/image_check.hpp"
#define OVL_HAVE_IMAGE_CHECK 1
#endif

namespace ovl::cli {
namespace {

#ifdef OVL_HAVE_IMAGE_CHECK
int report_image_check(const ImageCheckResult& r, bool json) {
  const CheckTarget* kernel = r.check.targets.empty() ? nullptr : &r.check.targets.front();
  if (json) {
    nlohmann::json j;
    j["schema"] = "ovlspec.check-image/1";
    j["layers"] = r.layers;
    j["options"] = r.options;
    j["model"] = to_json(r.check.prediction.observation);
    if (kernel) j["kernel"] = target_json(*kernel, false);
    j["findings"] = nlohmann::json::array();
    for (const auto& f : r.findings) {
      nlohmann::json fj = {{"kind", finding_kind_name(f.kind)}, {"path", f.path},         {"redirect", f.redirect},
                           {"object_exists", f.object_exists}, {"detail", f.detail}};
      if (!f.data_from.empty()) fj["data_from"] = f.data_from;
      if (!f.open_err.empty()) fj["open_errno"] = f.open_err;
      j["findings"].push_back(fj);
    }
    j["clean"] = !r.failed();
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("stack (top first):\n");
    for (const auto& l : r.layers) std::printf("  %s\n", l.c_str());
    std::printf("options: %s\n", r.options.c_str());
    const auto& m = r.check.prediction.observation;
    std::printf("model: mount %s, %zu entries\n", m.mount.ok ? "ok" : ("refused " + m.mount.err).c_str(),
                m.entries.size());
    if (kernel) std::fputs(target_report(*kernel).c_str(), stdout);
    if (r.findings.empty()) std::printf("redirects: every metacopy file reads its object from the store\n");
    for (const auto& f : r.findings)
      std::printf("%s: %s (redirect %s): %s\n", finding_kind_name(f.kind), f.path.c_str(), f.redirect.c_str(),
                  f.detail.c_str());
    std::printf("%s\n", r.failed() ? "NOT CLEAN" : "clean");
  }
  if (kernel && kernel->outcome.kind == TargetOutcome::Kind::Skipped) throw CannotRunHere(kernel->outcome.reason);
  return r.failed() ? kExitDivergence : kExitOk;
}
#endif

}  // namespace

void add_check_image(CLI::App& app, Action& run) {
  struct Args {
    std::vector<std::string> images;
    std::string objects, options = "redirect_dir=on,metacopy=on", kernel;
    bool json = false;
    double timeout = 30;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "check-image",
      "Check a composefs-style stack: EROFS images (or directories, top first) over an object store; diff the kernel "
      "against the model and report redirects captured by a regular layer or dangling");
  sub->add_option("images", args->images, "EROFS image files or layer directories, top first")->required();
  sub->add_option("--objects", args->objects, "the object store directory (the data-only layer)")->required();
  sub->add_option("--options", args->options, "further mount options (default: redirect_dir=on,metacopy=on)");
  sub->add_flag("--json", args->json, "print the result as JSON (schema ovlspec.check-image/1)");
  sub->add_option("--kernel", args->kernel, "compare the model at this kernel level (X.Y) instead of the detected one");
  sub->add_option("--timeout", args->timeout, "seconds the mount and probe may take")->check(CLI::PositiveNumber);
  sub->callback([args, &run] {
    run = [args]() -> int {
#ifndef OVL_HAVE_IMAGE_CHECK
      throw CannotRunHere("this build has no EROFS support (ovl_erofs)");
#else
      if (auto why = overlay_unavailable_reason()) throw CannotRunHere(*why);
      if (auto why = erofs_unavailable_reason()) throw CannotRunHere(*why);
      Semantics sem;
      if (!args->kernel.empty()) {
        auto v = KernelVersion::parse(args->kernel);
        if (!v) throw BadInput("check-image: --kernel '" + args->kernel + "' is not a version such as 6.18");
        sem.kernel = *v;
      }
      try {
        Sandbox::enter();
        if (args->kernel.empty()) sem.kernel = kernel_features().level;
        TargetOptions topts;
        topts.case_timeout_seconds = args->timeout;
        return report_image_check(check_images(args->images, args->objects, args->options, sem, topts), args->json);
      } catch (const SandboxError& e) {
        throw CannotRunHere(e.what());
      } catch (const ErofsError& e) {
        throw BadInput(std::string("check-image: ") + e.what());
      } catch (const LayerReadError& e) {
        throw BadInput(std::string("check-image: ") + e.what());
      }
#endif
    };
  });
}

}  // namespace ovl::cli
