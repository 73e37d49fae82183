// How the paths a case's mount options name map onto its layers (conformance/README.md): the
// option checks' PathProbe and the LayerSource for ovl::predict_options, so that "./A", "A/sub"
// and "A/file" resolve as they do once the case is materialized.
#pragma once
#include <string>

#include "ovl/case.hpp"
#include "ovl/options.hpp"
#include "ovl/predict.hpp"

namespace ovl {

/// Resolves a path as written in the options against the case's scratch directory: the first
/// component is a layer name, the rest a path inside that layer; "." and empty components are
/// skipped, ".." steps back. Missing: ENOENT; a non-directory on the way: ENOTDIR. Symlinks in
/// layer trees are not followed (the corpus does not use them in option paths).
PathInfo case_path_info(const Case& c, const std::string& path);
/// The tree of a directory path named in the options (a whole layer or a directory inside one),
/// or nullptr when it does not resolve to a directory.
LayerSource case_layer_source(const Case& c);
/// The model's prediction for a case, with the option paths resolved as above: predict_options
/// for legacy strings; the fsconfig sequence through ovl::predict.
Prediction predict_case(const Case& c, const Semantics& sem, const ModuleParams& module = {});

}  // namespace ovl
