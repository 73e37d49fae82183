// The layer reader ↔ materializer round trip with everything that needs root: trusted xattrs,
// devices, sockets, other owners, binary xattr values (on the sandbox's tmpfs).
#include <gtest/gtest.h>

#include "ovl/layer_reader.hpp"
#include "ovl/materialize.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

// Describes the first difference between two nodes, or "".
std::string node_diff(const Node& a, const Node& b, const std::string& path) {
  auto strip = [](std::string s) {
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
  };
  if (a.type != b.type) return path + ": type";
  if (a.type != NodeType::Lnk && a.mode != b.mode) return path + ": mode";
  if (a.uid != b.uid || a.gid != b.gid) return path + ": owner";
  if (a.type == NodeType::Reg && (a.size != b.size || strip(a.data) != strip(b.data))) return path + ": content";
  if (a.target != b.target) return path + ": target";
  if (a.rdev_major != b.rdev_major || a.rdev_minor != b.rdev_minor) return path + ": rdev";
  if (a.xattrs != b.xattrs) return path + ": xattrs";
  if (a.children.size() != b.children.size()) return path + ": children";
  for (const auto& [name, child] : a.children) {
    const Node* other = b.child(name);
    if (!other) return path + "/" + name + ": missing";
    if (auto d = node_diff(*child, *other, path + "/" + name); !d.empty()) return d;
  }
  return "";
}

Layer everything() {
  Layer l;
  Node f = Node::file(std::string("bin\0ary\xff", 7), 04755);
  f.uid = 1234;
  f.gid = 5678;
  f.xattrs["trusted.overlay.metacopy"] = std::string("\0\x24\0\x01", 4);
  f.xattrs["trusted.overlay.redirect"] = "/1e/de17";
  f.xattrs["user.overlay.origin"] = std::string(300, 'o');
  f.xattrs["user.empty"] = "";
  l.put("/d/f", f);
  Node sparse = Node::file("x");
  sparse.size = 1 << 20;
  l.put("/d/sparse", sparse);
  l.put("/d/wh", Node::chardev(0, 0));
  l.put("/null", Node::chardev(1, 3));
  Node blk;
  blk.type = NodeType::Blk;
  blk.rdev_major = 7;
  blk.rdev_minor = 200;
  blk.mode = 0600;
  l.put("/blk", blk);
  Node fifo;
  fifo.type = NodeType::Fifo;
  fifo.mode = 0620;
  l.put("/fifo", fifo);
  Node sock;
  sock.type = NodeType::Sock;
  sock.mode = 0755;
  l.put("/sock", sock);
  Node lnk = Node::symlink("/abs/target");
  lnk.xattrs["trusted.overlay.whiteout"] = "";
  lnk.uid = 42;
  l.put("/lnk", lnk);
  Node od = Node::dir(0500);
  od.xattrs["trusted.overlay.opaque"] = "x";
  od.xattrs["trusted.overlay.overlay.opaque"] = "y";
  l.put("/ro", od);
  l.put("/ro/inside", Node::file("filled before chmod", 0400));
  Node xw = Node::file("");
  xw.xattrs["trusted.overlay.whiteout"] = "";
  l.put("/xw", xw);
  l.root().xattrs["trusted.overlay.opaque"] = "y";
  return l;
}

TEST(LayerReader, RoundTripsEverythingTheMaterializerWrites) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("roundtrip");
  Layer l = everything();
  materialize_layer(l, base, "A");
  Layer back = read_layer(base + "/A");
  EXPECT_EQ(node_diff(l.root(), back.root(), ""), "");
  // And again: what was read writes back to the same tree.
  materialize_layer(back, base, "B");
  Layer again = read_layer(base + "/B");
  EXPECT_EQ(node_diff(back.root(), again.root(), ""), "");
  // The comparison itself notices a change.
  Layer changed = everything();
  const_cast<Node*>(changed.find("/d/wh"))->rdev_minor = 1;
  EXPECT_EQ(node_diff(changed.root(), back.root(), ""), "/d/wh: rdev");
  sb.remove_tree(base);
}

}  // namespace
}  // namespace ovl
