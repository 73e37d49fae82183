#include "ovl/disk_layers.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace ovl {

LayerSource DiskLayers::source() {
  return [this](const std::string& path) -> std::shared_ptr<const Layer> {
    if (auto it = by_path_.find(path); it != by_path_.end()) return it->second;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return nullptr;
    auto layer = std::make_shared<Layer>(read_layer(path, opts_));
    by_path_.emplace(path, layer);
    order_.emplace_back(path, layer);
    return layer;
  };
}

PathProbe disk_path_probe() {
  return [](const std::string& path) -> PathInfo {
    PathInfo info;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      info.err = errno;
      info.is_dir = false;
      return info;
    }
    info.is_dir = S_ISDIR(st.st_mode);
    char buf[PATH_MAX];
    if (realpath(path.c_str(), buf)) info.canonical = buf;
    return info;
  };
}

}  // namespace ovl
