// Layer trees from Python data and from directories on disk, and back to Python data.
#include <algorithm>

#include "common.hpp"
#include "ovl/layer_reader.hpp"

namespace ovlpy {
namespace {

std::string bytes_of(const py::handle& v, const std::string& where) {
  if (py::isinstance<py::bytes>(v)) return v.cast<std::string>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();  // UTF-8
  throw py::type_error(where + ": expected bytes or str, got " + std::string(py::str(v.get_type().attr("__name__"))));
}

std::uint64_t uint_of(const py::handle& v, const std::string& where) {
  if (!py::isinstance<py::int_>(v) || py::isinstance<py::bool_>(v)) throw py::type_error(where + ": expected an int");
  long long x = v.cast<long long>();
  if (x < 0) throw py::value_error(where + ": expected a non-negative int, got " + std::to_string(x));
  return static_cast<std::uint64_t>(x);
}

ovl::Node node_from_py(const py::handle& v, const std::string& where) {
  if (py::isinstance<py::bytes>(v) || py::isinstance<py::str>(v)) {
    ovl::Node n = ovl::Node::file(bytes_of(v, where));
    n.size = n.data.size();
    return n;
  }
  if (!py::isinstance<py::dict>(v))
    throw py::type_error(where + ": expected a node dict, bytes or str, got " +
                         std::string(py::str(v.get_type().attr("__name__"))));
  auto d = v.cast<py::dict>();
  std::string type = d.contains("type") ? d["type"].cast<std::string>() : std::string("reg");
  auto t = ovl::type_from_name(type);
  if (!t) throw py::value_error(where + ": type: expected dir, reg, lnk, chr, blk, fifo or sock, got \"" + type + "\"");
  ovl::Node n;
  n.type = *t;
  n.mode = *t == ovl::NodeType::Dir ? 0755 : *t == ovl::NodeType::Lnk ? 0777 : 0644;
  bool size_given = false;
  for (auto [k, val] : d) {
    std::string key = py::str(k);
    std::string at = where + ": " + key;
    if (key == "type") continue;
    if (key == "mode") {
      auto mode = uint_of(val, at);
      if (mode > 07777) throw py::value_error(at + ": expected permission bits <= 0o7777");
      n.mode = static_cast<std::uint32_t>(mode);
    } else if (key == "uid") n.uid = static_cast<std::uint32_t>(uint_of(val, at));
    else if (key == "gid") n.gid = static_cast<std::uint32_t>(uint_of(val, at));
    else if (key == "content" || key == "data") {
      if (*t != ovl::NodeType::Reg) throw py::value_error(at + ": only a reg node has content");
      n.data = bytes_of(val, at);
    } else if (key == "size") {
      if (*t != ovl::NodeType::Reg) throw py::value_error(at + ": only a reg node has a size");
      n.size = uint_of(val, at);
      size_given = true;
    } else if (key == "target") {
      if (*t != ovl::NodeType::Lnk) throw py::value_error(at + ": only a lnk node has a target");
      n.target = bytes_of(val, at);
    } else if (key == "rdev") {
      if (*t != ovl::NodeType::Chr && *t != ovl::NodeType::Blk)
        throw py::value_error(at + ": only chr and blk nodes have rdev");
      auto seq = val.cast<py::sequence>();
      if (seq.size() != 2) throw py::value_error(at + ": expected (major, minor)");
      n.rdev_major = static_cast<std::uint32_t>(uint_of(seq[0], at));
      n.rdev_minor = static_cast<std::uint32_t>(uint_of(seq[1], at));
    } else if (key == "xattrs") {
      if (!py::isinstance<py::dict>(val)) throw py::type_error(at + ": expected a dict name -> bytes");
      for (auto [xk, xv] : val.cast<py::dict>()) {
        std::string name = py::str(xk);
        n.xattrs[name] = bytes_of(xv, at + "[" + name + "]");
      }
    } else {
      throw py::value_error(where + ": unknown key \"" + key +
                            "\" (expected type, mode, uid, gid, content, size, target, rdev, xattrs)");
    }
  }
  if (*t == ovl::NodeType::Reg && !size_given) n.size = n.data.size();
  if (n.size < n.data.size()) throw py::value_error(where + ": size is smaller than the content");
  if (*t == ovl::NodeType::Lnk && n.target.empty()) throw py::value_error(where + ": a lnk node needs a target");
  return n;
}

py::dict node_to_py(const ovl::Node& n) {
  py::dict d;
  d["type"] = std::string(ovl::type_name(n.type));
  d["mode"] = n.mode;
  d["uid"] = n.uid;
  d["gid"] = n.gid;
  if (n.type == ovl::NodeType::Reg) {
    d["content"] = py::bytes(n.data);
    d["size"] = n.size;
  }
  if (n.type == ovl::NodeType::Lnk) d["target"] = n.target;
  if (n.type == ovl::NodeType::Chr || n.type == ovl::NodeType::Blk) d["rdev"] = py::make_tuple(n.rdev_major, n.rdev_minor);
  if (!n.xattrs.empty()) {
    py::dict x;
    for (const auto& [k, v] : n.xattrs) x[py::str(k)] = py::bytes(v);
    d["xattrs"] = x;
  }
  return d;
}

void walk(const ovl::Node& n, const std::string& path, py::dict& out) {
  out[py::str(path)] = node_to_py(n);
  for (const auto& [name, child] : n.children) walk(*child, ovl::join_path(path, name), out);
}

}  // namespace

std::shared_ptr<ovl::Layer> layer_from_py(const py::handle& obj, const std::string& where) {
  if (py::isinstance<ovl::Layer>(obj)) return std::make_shared<ovl::Layer>(obj.cast<const ovl::Layer&>());
  if (!py::isinstance<py::dict>(obj))
    throw py::type_error(where + ": expected a Layer or a dict path -> node, got " +
                         std::string(py::str(obj.get_type().attr("__name__"))));
  std::vector<std::pair<std::string, py::handle>> items;
  for (auto [k, v] : obj.cast<py::dict>()) {
    if (!py::isinstance<py::str>(k)) throw py::type_error(where + ": paths must be str");
    items.emplace_back(k.cast<std::string>(), v);
  }
  // Parents before children, so that putting a directory never replaces children put earlier.
  auto depth = [](const std::string& p) { return std::count(p.begin(), p.end(), '/'); };
  std::stable_sort(items.begin(), items.end(), [&](const auto& a, const auto& b) { return depth(a.first) < depth(b.first); });
  auto layer = std::make_shared<ovl::Layer>();
  for (const auto& [path, v] : items) {
    std::string at = where + "[\"" + path + "\"]";
    try {
      ovl::split_abs_path(path);
    } catch (const std::invalid_argument&) {
      throw py::value_error(at + ": expected an absolute path such as \"/a/b\" (no \".\", \"..\" or empty components)");
    }
    ovl::Node n = node_from_py(v, at);
    if (path == "/") {
      if (n.type != ovl::NodeType::Dir) throw py::value_error(at + ": the root of a layer must be a dir");
      n.children = std::move(layer->root().children);
      layer->root() = std::move(n);
      continue;
    }
    try {
      layer->put(path, std::move(n));
    } catch (const std::invalid_argument& e) {
      throw py::value_error(at + ": " + e.what());
    }
  }
  return layer;
}

std::vector<std::pair<std::string, std::shared_ptr<ovl::Layer>>> layers_from_py(const py::handle& obj) {
  if (!py::isinstance<py::dict>(obj)) throw py::type_error("layers: expected a dict layer name -> Layer or dict");
  std::vector<std::pair<std::string, std::shared_ptr<ovl::Layer>>> out;
  for (auto [k, v] : obj.cast<py::dict>()) {
    if (!py::isinstance<py::str>(k)) throw py::type_error("layers: layer names must be str");
    std::string name = k.cast<std::string>();
    if (name.empty()) throw py::value_error("layers: a layer name must not be empty");
    out.emplace_back(name, layer_from_py(v, "layers[\"" + name + "\"]"));
  }
  return out;
}

void bind_layers(py::module_& m) {
  py::class_<ovl::Layer, std::shared_ptr<ovl::Layer>>(m, "Layer", "One layer's tree: the objects a layer directory holds.")
      .def(py::init([]() { return std::make_shared<ovl::Layer>(); }), "An empty layer (just the root directory).")
      .def_static(
          "from_dict", [](const py::dict& d) { return layer_from_py(d, "layer"); }, py::arg("nodes"),
          "A layer from a dict absolute path -> node. A node is bytes/str (a regular file with that\n"
          "content) or a dict: type (dir, reg, lnk, chr, blk, fifo, sock; default reg), mode, uid, gid,\n"
          "content, size, target (lnk), rdev ((major, minor)), xattrs (name -> bytes). Missing parents\n"
          "become 0755 directories.")
      .def_static(
          "from_disk",
          [](const std::string& dir, std::uint64_t max_file_bytes) {
            ovl::ReadLayerOptions o;
            o.max_file_bytes = max_file_bytes;
            py::gil_scoped_release nogil;
            return std::make_shared<ovl::Layer>(ovl::read_layer(dir, o));
          },
          py::arg("path"), py::arg("max_file_bytes") = 64ull << 20,
          "Reads a layer directory on disk (the runners' layer reader): types, modes, owners, data,\n"
          "link targets, device numbers and every xattr. Raises LayerReadError naming the bad path.")
      .def(
          "to_dict",
          [](const ovl::Layer& l) {
            py::dict out;
            walk(l.root(), "/", out);
            return out;
          },
          "The layer as a dict absolute path -> node dict (the root \"/\" included); from_dict inverts it.")
      .def(
          "paths",
          [](const ovl::Layer& l) {
            py::list out;
            py::dict d;
            walk(l.root(), "/", d);
            for (auto [k, v] : d) out.append(k);
            return out;
          },
          "Every path of the layer, the root first, parents before children.")
      .def(
          "find",
          [](const ovl::Layer& l, const std::string& path) -> py::object {
            const ovl::Node* n = nullptr;
            try {
              n = l.find(path);
            } catch (const std::invalid_argument& e) {
              throw py::value_error("path: " + std::string(e.what()));
            }
            if (!n) return py::none();
            return node_to_py(*n);
          },
          py::arg("path"), "The node dict at an absolute path, or None.")
      .def("__len__", &ovl::Layer::count, "Number of nodes, the root included.")
      .def("__repr__", [](const ovl::Layer& l) { return "<ovlspec.Layer " + std::to_string(l.count()) + " nodes>"; });
}

}  // namespace ovlpy
