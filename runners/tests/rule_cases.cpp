// The rule cases (rule_cases.hpp).
#include "rule_cases.hpp"

namespace ovl::test {
namespace {
const std::string T = "trusted.overlay.";
const std::string U = "user.overlay.";

Node xwhiteout(const std::string& prefix = "trusted.overlay.") {
  Node n = Node::file("");
  n.xattrs[prefix + "whiteout"] = "";
  return n;
}
}  // namespace

std::vector<Case> rule_cases() {
  std::vector<Case> out;
  // Char-device whiteouts; other devices are ordinary objects.
  out.push_back(CaseBuilder("whiteout-chardev", "lowerdir=A:B")
                    .node("A", "/x", Node::chardev(0, 0))
                    .node("A", "/c", Node::chardev(1, 3))
                    .file("B", "/x", "hidden")
                    .file("B", "/c", "below c")
                    .file("B", "/y", "visible")
                    .dir("A", "/d")
                    .node("A", "/d/gone", Node::chardev(0, 0))
                    .file("B", "/d/gone", "whited out")
                    .file("B", "/d/kept", "kept")
                    .build());
  // Xattr whiteouts: honoured by lookup everywhere; hidden from readdir only under opaque=x.
  out.push_back(CaseBuilder("whiteout-xattr", "lowerdir=A:B")
                    .node("A", "/w", xwhiteout())
                    .file("B", "/w", "hidden")
                    .dir("A", "/nx")
                    .node("A", "/nx/w", xwhiteout())
                    .file("B", "/nx/w", "listed but ENOENT")
                    .file("B", "/nx/k", "kept")
                    .node("A", "/xd", dir_with(T + "opaque", "x"))
                    .node("A", "/xd/w", xwhiteout())
                    .file("B", "/xd/w", "hidden from readdir")
                    .file("B", "/xd/k", "kept")
                    .node("A", "/nz", Node::file("non-empty"))
                    .xattr("A", "/nz", T + "whiteout", "")
                    .file("B", "/nz", "below")
                    .dir("A", "/lm")
                    .node("A", "/lm/w", xwhiteout())
                    .build());
  // Opaque directories: y stops the merge, x in a lower does not, other values are nothing.
  out.push_back(CaseBuilder("opaque", "lowerdir=A:B")
                    .node("A", "/y", dir_with(T + "opaque", "y"))
                    .file("A", "/y/a", "a")
                    .file("B", "/y/b", "b")
                    .node("A", "/x", dir_with(T + "opaque", "x"))
                    .file("A", "/x/a", "a")
                    .file("B", "/x/b", "b")
                    .node("A", "/n", dir_with(T + "opaque", "yes"))
                    .file("A", "/n/a", "a")
                    .file("B", "/n/b", "b")
                    .build());
  // An upper: opaque=x in the upper is ignored; a file over a dir; a dir over a file.
  out.push_back(CaseBuilder("upper", "lowerdir=A:B,upperdir=U,workdir=W")
                    .empty("W")
                    .node("U", "/ux", dir_with(T + "opaque", "x"))
                    .node("U", "/ux/w", xwhiteout())
                    .file("A", "/ux/w", "below")
                    .file("A", "/ux/a", "a")
                    .file("U", "/fd", "file over dir")
                    .dir("A", "/fd")
                    .file("A", "/fd/x", "x")
                    .dir("U", "/df")
                    .file("U", "/df/u", "u")
                    .file("A", "/df", "file under dir")
                    .dir("B", "/df")
                    .file("B", "/df/b", "not merged")
                    .node("U", "/wh", Node::chardev(0, 0))
                    .file("B", "/wh", "b")
                    .build());
  // Relative and absolute redirects, chained, in follow mode (lower-only: becomes on).
  out.push_back(CaseBuilder("redirect-follow", "lowerdir=A:B:C")
                    .node("A", "/dst", dir_with(T + "redirect", "src"))
                    .file("A", "/dst/a", "a")
                    .file("B", "/src/b", "b")
                    .file("C", "/src/c", "c")
                    .node("A", "/op", dir_with(T + "opaque", "y"))
                    .node("A", "/op/b", dir_with(T + "redirect", "/deep/src"))
                    .file("B", "/deep/src/x", "x")
                    .file("C", "/deep/src/y", "y")
                    .node("A", "/miss", dir_with(T + "redirect", "nowhere"))
                    .file("A", "/miss/m", "m")
                    .node("A", "/tofile", dir_with(T + "redirect", "afile"))
                    .file("B", "/afile", "a file")
                    .node("C", "/low", dir_with(T + "redirect", "src"))
                    .build());
  // nofollow: a redirect that would be followed gives EPERM.
  out.push_back(CaseBuilder("redirect-nofollow", "lowerdir=A:B,redirect_dir=nofollow")
                    .node("A", "/dst", dir_with(T + "redirect", "src"))
                    .file("B", "/src/b", "b")
                    .dir("B", "/dst")
                    .node("A", "/pure", dir_with(T + "redirect", "src"))
                    .build());
  // Invalid redirect values give EINVAL even in nofollow mode.
  out.push_back(CaseBuilder("redirect-invalid", "lowerdir=A:B")
                    .node("A", "/rel", dir_with(T + "redirect", "a/b"))
                    .node("A", "/dbl", dir_with(T + "redirect", "//a"))
                    .node("A", "/empty", dir_with(T + "redirect", ""))
                    .node("A", "/trail", dir_with(T + "redirect", "/src/"))
                    .dir("B", "/src")
                    .dir("B", "/rel")
                    .build());
  // metacopy=off refuses metacopy files (EPERM); metacopy=on reads the data below.
  out.push_back(CaseBuilder("metacopy-off", "lowerdir=A:B")
                    .node("A", "/m", metacopy_file(4))
                    .file("B", "/m", "data")
                    .build());
  out.push_back(CaseBuilder("metacopy-on", "lowerdir=A:B:C,metacopy=on")
                    .node("A", "/m", metacopy_file(100))
                    .file("B", "/m", "data")
                    .node("A", "/r", metacopy_file(3, "/elsewhere/f"))
                    .file("B", "/elsewhere/f", "xyz")
                    .node("C", "/lonely", metacopy_file(5))
                    .node("A", "/small", metacopy_file(2))
                    .xattr("A", "/small", T + "metacopy", "ab")
                    .file("B", "/small", "ab")
                    .node("A", "/overdir", metacopy_file(2))
                    .dir("B", "/overdir")
                    .build());
  // Data-only layers: capture by a regular lower (R38) and the absolute-redirect reset (R39).
  out.push_back(CaseBuilder("data-capture", "lowerdir=A:B::C,metacopy=on")
                    .node("A", "/foo", metacopy_file(18, "/1e/de17"))
                    .file("B", "/1e/de17", "regular lower wins")
                    .file("C", "/1e/de17", "data-only blob")
                    .node("A", "/m2", metacopy_file(5, "/data/only2"))
                    .dir("B", "/data")
                    .file("C", "/data/only2", "only2")
                    .node("A", "/m3", metacopy_file(5, "/data3/only3"))
                    .file("C", "/data3/only3", "only3")
                    .build());
  // Data-only redirect from the lowest regular layer without metacopy=on; open fails (R37).
  out.push_back(CaseBuilder("data-open", "lowerdir=A:B::C::D")
                    .file("A", "/top", "top")
                    .node("B", "/ok", metacopy_file(4, "/blob"))
                    .file("C", "/blob", "blob")
                    .node("B", "/missing", metacopy_file(4, "/nothing"))
                    .node("B", "/todir", metacopy_file(4, "/adir"))
                    .dir("C", "/adir")
                    .node("B", "/fall", metacopy_file(4, "/second"))
                    .node("C", "/second", Node::chardev(0, 0))
                    .file("D", "/second", "from D")
                    .node("A", "/high", metacopy_file(4, "/blob"))
                    .build());
  // userxattr: user.overlay.* is interpreted, trusted.overlay.* is an ordinary xattr.
  out.push_back(CaseBuilder("userxattr", "lowerdir=A:B,userxattr")
                    .node("A", "/u", dir_with(U + "opaque", "y"))
                    .file("A", "/u/a", "a")
                    .file("B", "/u/b", "b")
                    .node("A", "/t", dir_with(T + "opaque", "y"))
                    .file("A", "/t/a", "a")
                    .file("B", "/t/b", "b")
                    .node("A", "/w", xwhiteout(U))
                    .file("B", "/w", "hidden")
                    .build());
  // Escaped xattrs are shown with one "overlay." removed; overlay's own are hidden.
  out.push_back(CaseBuilder("xattr-escaped", "lowerdir=A:B")
                    .file("A", "/e", "e")
                    .xattr("A", "/e", T + "overlay.foo", "1")
                    .xattr("A", "/e", T + "bar", "2")
                    .xattr("A", "/e", "user.plain.overlay.x", "3")
                    .node("A", "/d", dir_with(T + "overlay.opaque", "y"))
                    .file("A", "/d/a", "a")
                    .file("B", "/d/b", "b")
                    .build());
  // Refused mounts.
  out.push_back(CaseBuilder("mount-one-lower", "lowerdir=A").file("A", "/f", "f").build());
  out.push_back(CaseBuilder("mount-missing-layer", "lowerdir=A:Missing").file("A", "/f", "f").build());
  out.push_back(CaseBuilder("mount-data-then-regular", "lowerdir=A::B:C").dir("A", "/a").dir("B", "/b").dir("C", "/c").build());
  // Special files and a sparse file.
  {
    Node fifo;
    fifo.type = NodeType::Fifo;
    Node sock;
    sock.type = NodeType::Sock;
    Node sparse = Node::file("head");
    sparse.size = 70000;
    out.push_back(CaseBuilder("special-files", "lowerdir=A:B")
                      .node("A", "/fifo", fifo)
                      .node("A", "/sock", sock)
                      .node("A", "/lnk", Node::symlink("../target"))
                      .node("A", "/sparse", sparse)
                      .file("B", "/fifo", "below")
                      .build());
  }
  return out;
}

}  // namespace ovl::test
