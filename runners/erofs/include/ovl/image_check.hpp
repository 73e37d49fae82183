// `check-image`: a composefs-style stack of EROFS images (or directories) over an object store,
// predicted by the model, mounted by the kernel, and every metacopy redirect audited.
#pragma once
#include <string>
#include <vector>

#include "ovl/check.hpp"

namespace ovl {

/// One metacopy file whose data does not come from the object store as its redirect meant.
struct RedirectFinding {
  enum class Kind : std::uint8_t {
    Capture,   // absolute redirect, the object exists in the store, yet the data comes from a regular layer (R38)
    Dangling,  // opening the file fails (no such object, or the redirect cannot reach the store: R39)
  };
  Kind kind = Kind::Capture;
  std::string path;        // overlay path of the metacopy file
  std::string redirect;    // its redirect xattr value
  std::string data_from;   // capture: "layer-name:/path" the data comes from
  std::string open_err;    // dangling: errno name
  bool object_exists = false;  // the redirect names a file of the object store
  std::string detail;      // one sentence for the report
};

/// The result of check_images().
struct ImageCheckResult {
  std::vector<std::string> layers;   // what was stacked, top first: "IMAGE (mounted at DIR)" or "DIR"
  std::string options;               // the overlay option string used
  CheckResult check;                 // model vs kernel
  std::vector<RedirectFinding> findings;
  /// A divergence, a target error, or any finding.
  bool failed() const { return check.failed() || !findings.empty(); }
};

/// Mounts each EROFS image read-only in the sandbox (directories are used as they are), stacks
/// them top first as regular lowers over `objects` as the data-only layer with
/// `extra_options` (default composefs: "redirect_dir=on,metacopy=on"), predicts the merged
/// view from the layers read back, mounts the overlay and diffs, then audits every metacopy
/// file with the model's Resolution. Throws ErofsError, LayerReadError or SandboxError.
ImageCheckResult check_images(const std::vector<std::string>& images_or_dirs, const std::string& objects,
                              const std::string& extra_options, const Semantics& sem,
                              const TargetOptions& topts = {});

/// The findings of a prediction (exposed for tests): every metacopy file of the model's view.
std::vector<RedirectFinding> audit_redirects(const Prediction& p);

/// The name of a finding kind: "capture" or "dangling".
const char* finding_kind_name(RedirectFinding::Kind k);

}  // namespace ovl
