// Composefs-layout cases (composefs_gen.hpp).
#include "ovl/composefs_gen.hpp"

#include <algorithm>
#include <set>

#include "ovl/sha256.hpp"
#include "rng.hpp"

namespace ovl::gen {
namespace {

std::string hex_digest(std::string_view content) {
  Sha256 h;
  h.update(content);
  return h.hex();
}

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

const char* kNames[] = {"etc", "usr", "bin", "lib", "share", "conf", "a", "b", "data"};

std::string random_path(Rng& rng, int max_depth) {
  int depth = 1 + rng.below(std::max(1, max_depth));
  std::string p;
  for (int i = 0; i < depth; ++i) p += std::string("/") + kNames[rng.below(static_cast<int>(std::size(kNames)))];
  return p + "-" + std::to_string(rng.below(100));
}

}  // namespace

std::string object_path(std::string_view content) {
  std::string h = hex_digest(content);
  return "/" + h.substr(0, 2) + "/" + h.substr(2);
}

std::string metacopy_value(std::string_view content) {
  std::string v;
  v += '\0';                          // version
  v += static_cast<char>(4 + 32);     // length of the whole value
  v += '\0';                          // flags
  v += '\1';                          // digest algorithm: sha256
  return v + hex_to_bytes(hex_digest(content));
}

std::vector<std::string> fanout_names() {
  std::vector<std::string> out;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 256; ++i) out.push_back({hex[i / 16], hex[i % 16]});
  return out;
}

GenCase composefs_case(std::uint64_t seed, const ComposefsParams& p) {
  Rng rng{seed};
  GenCase g;
  g.seed = seed;
  g.options.userxattr = p.userxattr;
  g.options.metacopy = p.metacopy_option ? std::optional<std::string>("on") : std::nullopt;
  g.options.redirect_dir = p.redirect_on ? "on" : "nofollow";
  const std::string prefix = g.prefix();
  GenLayer store{"O", Role::DataOnly, {}};
  std::set<std::string> objects;
  int images = std::max(1, p.images);
  std::vector<std::vector<std::string>> image_objects(static_cast<std::size_t>(images));
  for (int k = 0; k < images; ++k) {
    GenLayer img{"I" + std::to_string(k + 1), Role::Lower, {}};
    GenEntry root{"/", NodeType::Dir, "", 0, 0, 0, {}};
    if (p.opaque_root) root.xattrs[prefix + "opaque"] = "y";
    img.entries.push_back(root);
    std::set<std::string> used;
    int files = 1 + rng.below(std::max(1, p.max_files));
    for (int i = 0; i < files; ++i) {
      std::string path = random_path(rng, p.max_depth);
      // A file path must not be a prefix directory of another (keep the tree valid).
      bool clash = false;
      for (const auto& u : used)
        if (u == path || u.rfind(path + "/", 0) == 0 || path.rfind(u + "/", 0) == 0) clash = true;
      if (clash) continue;
      used.insert(path);
      std::string content = "object " + std::to_string(rng.next() % 1000) + " of " + img.name;
      if (rng.chance(10)) content.clear();  // composefs keeps empty files inline: no redirect
      GenEntry f{path, NodeType::Reg, "", content.size(), 0, 0, {}};
      if (content.empty()) {
        img.entries.push_back(f);
        continue;
      }
      std::string obj = object_path(content);
      f.xattrs[prefix + "metacopy"] = metacopy_value(content);
      f.xattrs[prefix + "redirect"] = obj;
      img.entries.push_back(f);
      image_objects[static_cast<std::size_t>(k)].push_back(obj);
      if (objects.insert(obj).second) store.entries.push_back({obj, NodeType::Reg, content, content.size(), 0, 0, {}});
    }
    g.layers.push_back(std::move(img));
  }
  // Collisions: a lower image holds an object path of an image above (capture, R38), or the
  // fan-out directory of one without the object (reset, R39).
  std::vector<std::set<std::string>> unhidden(static_cast<std::size_t>(images));
  if (p.collide) {
    for (int k = 1; k < images; ++k) {
      const auto& above = image_objects[static_cast<std::size_t>(k - 1)];
      if (above.empty()) continue;
      auto& img = g.layers[static_cast<std::size_t>(k)];
      for (const auto& obj : above) {
        int what = rng.below(3);
        if (what == 2) continue;
        std::string fan = obj.substr(1, 2);
        unhidden[static_cast<std::size_t>(k)].insert(fan);
        if (what == 0) {
          img.entries.push_back({obj, NodeType::Reg, "captured by " + img.name, 0, 0, 0, {}});
          img.entries.back().size = img.entries.back().data.size();
        } else {
          img.entries.push_back({"/" + fan + "/other-" + img.name, NodeType::Reg, "not the object", 14, 0, 0, {}});
        }
      }
    }
  }
  if (p.fanout_whiteouts) {
    for (int k = 0; k < images; ++k) {
      auto& img = g.layers[static_cast<std::size_t>(k)];
      for (const auto& n : fanout_names()) {
        if (unhidden[static_cast<std::size_t>(k)].count(n)) continue;
        bool taken = false;
        for (const auto& e : img.entries)
          if (e.path == "/" + n || e.path.rfind("/" + n + "/", 0) == 0) taken = true;
        if (!taken) img.entries.push_back({"/" + n, NodeType::Chr, "", 0, 0, 0, {}});
      }
    }
  }
  g.layers.push_back(std::move(store));
  return g;
}

}  // namespace ovl::gen
