// The batching transform: many cases with equal options share one mount. Case k keeps its
// depth; every top-level name n of case k becomes "n.k" (a rename at the root, not a move into
// a subdirectory: see below why).
//
// The transform, for case k:
//  - every entry path's first component n becomes "n.k", in every layer (data-only included);
//  - every `redirect` value (trusted.overlay.redirect and user.overlay.redirect) is renamed the
//    same way where it names something at the root: an absolute value's components that stand
//    at depth 0 ("/a/b" -> "/a.k/b", "/./a" -> "/./a.k", "/a/../b" -> "/a.k/../b.k"), and a
//    relative value on a top-level entry (its target is a sibling at the root);
//  - relative redirects deeper down, symlink targets, contents and other xattrs are unchanged;
//  - layer roots are shared: their xattrs must be equal in all cases of a batch (batch_key).
// Why renaming and not /k subdirectories: the root is special. R2 ignores opaque and redirect
// xattrs on layer roots, the root is always a merge dir, and every directory an absolute
// redirect walk passes clears absolute_redirect (R39), so an extra /k component would turn
// deferred data-only lookups into EIO. Renaming keeps every walk, every merge and every
// "last layer" decision (R13, R40) exactly as in the case alone.
// What still crosses cases: the xwhiteouts flag of a layer (R23) is per mount. Lookups set it
// when they meet opaque=x on a non-root directory of a regular lower ("setters"); readdir of a
// directory whose lookup met opaque=x (or the root, with opaque=x on a lower root) reads it and
// looks up every regular entry of a flagged layer, dropping those that fail ("sensitive" cases:
// a regular file in a regular lower inside such a directory). The rule is per layer: a case
// "reads" layer L when it has such a file in L with xattrs (a file without any is always found
// by its lookup, so never dropped) and no opaque=x of its own in L (with one, its
// own prediction already leaves the entry's fate unspecified or certain); it "sets" L with a
// non-root opaque=x in L. No member of a batch may read a layer another member sets.
// (Root opaque=x is in the batch key, hence the same in every case.)
// A case whose top-level names contain '.' cannot be batched (its names could collide).
// tests/batch_model_test.cpp checks model(batch) restricted to case k == model(case k).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ovl/gen_case.hpp"
#include "ovl/observation.hpp"

namespace ovl::gen {

/// Why g cannot share a mount with other cases at all; nullopt when it can.
std::optional<std::string> unbatchable_reason(const GenCase& g);
/// Whether g holds opaque=x on a non-root entry (a "setter" of layer xwhiteouts flags).
bool has_xwhiteout_marker(const GenCase& g);
/// Whether g may read layer xwhiteouts flags (a "sensitive" case, see above).
bool flag_sensitive(const GenCase& g);
/// The layers whose xwhiteouts flag g sets and reads, by the per-layer rule above (bit i = layer
/// i of g; layers past 63 share bit 63). Cases may share a mount when none reads a layer
/// another sets.
struct XwhiteoutLayers {
  std::uint64_t sets = 0;
  std::uint64_t reads = 0;
};
XwhiteoutLayers xwhiteout_layers(const GenCase& g);
/// Cases that may share a mount have equal keys: the option string (layer names, roles and
/// options) and the xattrs of every layer root.
std::string batch_key(const GenCase& g);
/// A top-level name of case k in a batch: "n.k".
std::string batch_name(const std::string& name, std::size_t k);
/// g renamed as case k of a batch (see above).
GenCase renamed(const GenCase& g, std::size_t k);
/// One case holding every cases[k] renamed as case k. Throws std::invalid_argument unless all
/// keys are equal, every case is batchable, and the per-layer setter/reader rule above holds.
GenCase make_batch(const std::vector<const GenCase*>& cases);
/// The part of a batch Observation that belongs to case k, names restored: entries under
/// "/n.k", and "/" with only case k's children. The mount status is copied.
Observation extract(const Observation& batch, std::size_t k);
/// Groups cases into batches of at most max_size: equal keys together, unbatchable cases alone,
/// the per-layer setter/reader rule above kept. Indices into `cases`, in a deterministic order.
std::vector<std::vector<std::size_t>> plan_batches(const std::vector<GenCase>& cases, std::size_t max_size);

}  // namespace ovl::gen
