// Layers named in mount options, taken from the real filesystem: the model's LayerSource and the
// option parser's PathProbe for directories on disk (relative paths against the cwd).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ovl/layer_reader.hpp"
#include "ovl/options.hpp"
#include "ovl/predict.hpp"

namespace ovl {

/// Reads each layer directory once, on first use, and remembers what it read (in order).
class DiskLayers {
 public:
  explicit DiskLayers(ReadLayerOptions opts = {}) : opts_(opts) {}
  /// The LayerSource for predict_options(): nullptr when the path is not a directory;
  /// throws LayerReadError when it is one that cannot be represented.
  LayerSource source();
  /// The layers read so far, by path as written, in the order they were first asked for.
  const std::vector<std::pair<std::string, std::shared_ptr<Layer>>>& read() const { return order_; }

 private:
  ReadLayerOptions opts_;
  std::map<std::string, std::shared_ptr<Layer>> by_path_;
  std::vector<std::pair<std::string, std::shared_ptr<Layer>>> order_;
};

/// The PathProbe of real paths: stat() for existence and type, realpath() for identity.
PathProbe disk_path_probe();

}  // namespace ovl
