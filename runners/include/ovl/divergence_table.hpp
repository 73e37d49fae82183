// The per-target divergence table that `ovlspec check` and `ovlspec check-image` print (text
// and JSON), written once.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ovl/check.hpp"

namespace ovl {

/// One line per divergence: "  /path  field: model M, <target> T  [clause] [clause]\n"
/// ("(mount)" for the mount itself).
std::string divergence_lines(const std::vector<Divergence>& divergences, const std::string& target);

/// What a target of a check showed, for a terminal: "NAME: SKIPPED: why", "NAME: ERROR: why",
/// "NAME: agrees with the model (N entries)", or "NAME: N divergence(s)" followed by
/// divergence_lines and the kernel log of the mount. Ends with a newline.
std::string target_report(const CheckTarget& t);

/// "observed", "skipped" or "error".
const char* outcome_kind_name(TargetOutcome::Kind k);

/// The JSON of one target of a check: {"target", "status", "reason"?, and when observed
/// "divergences": [{path, field, model, target, clauses}], "mount_log"?}; with_observation adds
/// the target's "observation".
nlohmann::json target_json(const CheckTarget& t, bool with_observation);

}  // namespace ovl
