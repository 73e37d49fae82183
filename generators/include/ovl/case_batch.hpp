// The batching transform of batch.hpp on full Cases (modes, owners, devices, any xattrs, corpus
// cases with expectations): many cases with equal options share one mount, each under renamed
// top-level names "n.k", and the batch Observation is split back per case with
// ovl::gen::extract(). The renaming and the xwhiteouts setter/reader rule are the ones of
// batch.hpp (shared code, generators/src/batch_core.hpp). A Case does not say which of its
// layers are regular lowers without parsing the options, so the flag analysis counts every
// layer as one (it can only batch less). Extra rules of a Case (see unbatchable_reason):
//  - options naming a path with '/' (a layer inside a layer, "./A", traps) and fsconfig
//    sequences are not batched: renaming top-level names would move what they name;
//  - a layer root with opaque=x or impure=y is not batched: readdir of "/" then looks up
//    top-level entries, and two cases' failing lookups together change the listing of "/"
//    ([readdir.lookup-errors]);
//  - a top-level name over 250 bytes is not batched (no room for the ".k" suffix).
// The key adds to the option string every layer's name and its root's mode, owner and xattrs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ovl/batch.hpp"
#include "ovl/case.hpp"

namespace ovl::gen {

/// Why c cannot share a mount with other cases at all; nullopt when it can.
std::optional<std::string> unbatchable_reason(const Case& c);
/// Cases that may share a mount have equal keys (options, semantics, layer names and roots).
std::string batch_key(const Case& c);
/// c renamed as case k of a batch (top-level names and redirect values, as for GenCase).
Case renamed(const Case& c, std::size_t k);
/// One case holding every cases[k] renamed as case k, named `name`; no expectations. Throws
/// std::invalid_argument unless all keys are equal, every case is batchable and the xwhiteouts
/// setter/reader rule holds.
Case make_case_batch(const std::vector<const Case*>& cases, const std::string& name = "batch");
/// Groups cases into batches of at most max_size (indices into `cases`, deterministic): equal
/// keys together, unbatchable cases alone, the setter/reader rule kept.
std::vector<std::vector<std::size_t>> plan_case_batches(const std::vector<const Case*>& cases, std::size_t max_size);

}  // namespace ovl::gen
