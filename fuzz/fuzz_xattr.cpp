// libFuzzer target: overlay xattr values as the model decodes them in lookup and readdir —
// redirect values, metacopy values (empty, too short, with a digest), opaque y/x, whiteout,
// origin, escaped names and arbitrary names — on a small stack predicted end to end.
// Encoding: a kernel-level byte, an options byte, then records of
//   LAYER PATH TYPE NXATTR (KIND LEN VALUE[LEN])*NXATTR
// (one byte each except VALUE). KIND's high bit picks user.overlay. over trusted.overlay.
#include <cstdint>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "ovl/case.hpp"
#include "ovl/predict.hpp"
#include "ovl/xattr_names.hpp"

namespace {

using namespace ovl;

constexpr const char* kLayers[] = {"U", "L1", "L2", "D"};
constexpr const char* kPaths[] = {"/a", "/b", "/d", "/d/a", "/d/e", "/1e", "/1e/de17", "/d/e/f"};
constexpr const char* kSuffixes[] = {"opaque", "redirect", "metacopy", "whiteout", "origin", "impure",
                                     "overlay.opaque", "overlay.redirect", "overlay.metacopy", "overlay.whiteout"};

std::string options_from(std::uint8_t b) {
  std::string o = std::string("lowerdir=L1:L2") + ((b & 2) ? "::D" : "");
  if (b & 1) o += ",upperdir=U,workdir=W";
  static constexpr const char* kRedirect[] = {"", ",redirect_dir=on", ",redirect_dir=follow", ",redirect_dir=nofollow"};
  o += kRedirect[(b >> 2) & 3];
  if (b & 16) o += ",metacopy=on";
  static constexpr const char* kVerity[] = {"", ",verity=on", ",verity=require", ",verity=off"};
  o += kVerity[(b >> 5) & 3];
  if (b & 128) o += ",userxattr";
  return o;
}

Node node_of(std::uint8_t t, const std::string& layer, const std::string& path) {
  switch (t % 8) {
    case 0: return Node::file(layer + ":" + path + "\n");
    case 1: return Node::dir();
    case 2: return Node::symlink("target");
    case 3: return Node::chardev(0, 0);  // whiteout
    case 4: return Node::chardev(1, 3);
    case 5: return Node::file("");  // size 0: an xattr whiteout with the whiteout xattr
    case 6: {
      Node n;
      n.type = NodeType::Fifo;
      return n;
    }
    default: {
      Node n = Node::file("short");
      n.size = 4096;  // sparse: metacopy files keep the size of the data
      return n;
    }
  }
}

/// Escaped names list as the name they escape, and escaping gives the real name back.
void check_names(const Node& n, bool userxattr, const Semantics& sem) {
  for (const auto& [name, value] : n.xattrs) {
    auto shown = listed_xattr_name(name, userxattr, sem);
    if (!is_private_xattr(name, userxattr)) {
      fuzz::check(shown && *shown == name, "a name outside the overlay prefix is listed as it is", name);
    } else if (sem.has_escaped_xattrs() && is_escaped_xattr(name, userxattr)) {
      fuzz::check(shown.has_value(), "an escaped name is listed", name);
      fuzz::check(escape_xattr_name(*shown, userxattr) == name, "escaping the listed name gives the real one", name);
    } else {
      fuzz::check(!shown.has_value(), "a private name is hidden", name);
    }
  }
  for (const auto& [name, child] : n.children) check_names(*child, userxattr, sem);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static constexpr KernelVersion kLevels[] = {{6, 18}, {6, 5}, {6, 6}, {6, 7}, {6, 12}, {6, 15}, {6, 16}, {6, 18}};
  fuzz::FuzzInput in(bytes, size);
  const std::uint8_t kb = in.byte();
  Semantics sem;
  sem.kernel = kLevels[kb & 7];
  sem.data_only_middle = (kb & 8) != 0;
  sem.dslash_redirect = (kb & 16) != 0;
  ModuleParams module;
  module.metacopy = (kb & 32) != 0;
  module.redirect_dir = (kb & 64) != 0;

  Case c;
  c.name = "fuzz/xattr";
  c.options = options_from(in.byte());
  const bool userxattr = c.options.find("userxattr") != std::string::npos;
  std::shared_ptr<Layer> trees[4];
  for (std::size_t i = 0; i < 4; ++i) {
    trees[i] = std::make_shared<Layer>();
    c.layers.emplace_back(kLayers[i], trees[i]);
  }
  c.layers.emplace_back("W", std::make_shared<Layer>());  // the workdir
  for (int records = 0; !in.empty() && records < 32; ++records) {
    const std::size_t li = in.byte() % 4;
    const std::string layer = kLayers[li];
    const std::string path = kPaths[in.byte() % 8];
    Node n = node_of(in.byte(), layer, path);
    const int nx = in.byte() % 4;
    for (int k = 0; k < nx; ++k) {
      const std::uint8_t kind = in.byte();
      std::string value = in.short_string();
      const std::string prefix = (kind & 0x80) ? "user.overlay." : "trusted.overlay.";
      const std::size_t sel = (kind & 0x7f) % 12;
      if (sel < 10) {
        n.xattrs[prefix + kSuffixes[sel]] = std::move(value);
      } else if (sel == 10) {
        n.xattrs["user.other"] = std::move(value);
      } else if (!value.empty()) {
        n.xattrs[value] = "";  // an arbitrary name
      }
    }
    try {
      trees[li]->put(path, std::move(n));
    } catch (const std::invalid_argument&) {
      // the parent is not a directory in this layer: the record does not apply
    }
  }

  Prediction p = predict(c, sem, module);
  Observation& obs = p.observation;
  obs.normalize();
  if (!p.model) {
    fuzz::check(!obs.mount.ok && !obs.mount.err.empty(), "a refused mount has an errno", c.options);
    return 0;
  }
  for (const auto& [name, layer] : c.layers) check_names(layer->root(), userxattr, sem);
  for (const Entry& e : obs.entries) {
    const Resolution r = p.model->resolve(e.path);
    if (!r.err) fuzz::check(!r.trace.empty(), "a resolution says which clauses produced it", e.path);
  }
  const Observation back = observation_from_json(to_json(obs));
  if (!(back.mount == obs.mount && back.entries == obs.entries))
    fuzz::fail("the Observation survives its JSON form",
               to_json(obs).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  fuzz::check(diff(obs, obs, {}, p.clauses).empty(), "an Observation does not diverge from itself");
  return 0;
}
