// The Python-side Model: a Case, the Semantics it runs and the Prediction (shared with check()).
#pragma once
#include <memory>

#include "ovl/case.hpp"
#include "ovl/predict.hpp"

namespace ovlpy {

/// What ovlspec.Model holds.
struct PyModel {
  std::shared_ptr<ovl::Case> case_;
  ovl::Semantics semantics;
  std::shared_ptr<ovl::Prediction> prediction;
  /// Predicts a case.
  static PyModel from_case(const ovl::Case& c, const ovl::Semantics& sem, const ovl::ModuleParams& mp, bool probe_hidden);
};

}  // namespace ovlpy
