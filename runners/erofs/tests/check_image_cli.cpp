// `ovlspec check-image` as a user runs it (label kernel: root, overlay, erofs, mkfs.erofs): exit
// 0 and "clean" for a single-image composefs stack, exit 1 with the capture printed for a
// two-image stack built to have one, exit 2 with a message naming the bad argument for a
// missing image, a malformed path and a missing object store. Nothing is written outside the
// test's scratch: the images and the object store are unchanged, the working directory stays
// empty, and no mount is left in this namespace.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "ovl/composefs_gen.hpp"
#include "ovl/erofs_image.hpp"
#include "ovl/gen_case.hpp"
#include "ovl/materialize.hpp"

namespace fs = std::filesystem;

namespace ovl {
namespace {

struct Ran {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every file under d with its size and modification time.
std::map<std::string, std::string> snapshot(const fs::path& d) {
  std::map<std::string, std::string> out;
  for (auto& e : fs::recursive_directory_iterator(d)) {
    std::string v = e.is_regular_file() ? std::to_string(e.file_size()) : "-";
    v += "@" + std::to_string(fs::last_write_time(e.path()).time_since_epoch().count());
    out[e.path().string()] = v;
  }
  return out;
}

std::string mounts_of_interest() {
  std::string out, line;
  std::ifstream in("/proc/self/mounts");
  while (std::getline(in, line))
    if (line.find("overlay") != std::string::npos || line.find("erofs") != std::string::npos) out += line + "\n";
  return out;
}

class CheckImageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ovlspec-check-image-cli-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "cwd");
    fs::create_directories(root_ / "out");
    mounts_before_ = mounts_of_interest();
  }
  void TearDown() override {
    EXPECT_EQ(mounts_of_interest(), mounts_before_) << "a mount was left behind";
    fs::remove_all(root_);
  }

  // Materializes the layers of g under root_/name: images for the regular lowers, the object
  // store "O" as a directory. Returns the image paths, top first.
  std::vector<std::string> build(const gen::GenCase& g, const std::string& name) {
    fs::path base = root_ / name;
    fs::create_directories(base);
    Case c = gen::to_case(g, name);
    std::vector<std::string> images;
    for (const auto& [lname, layer] : c.layers) {
      materialize_layer(*layer, base.string(), lname);
      if (lname == "O") continue;
      images.push_back((base / (lname + ".img")).string());
      build_erofs_image((base / lname).string(), images.back());
      fs::remove_all(base / lname);  // only the image is given to check-image
    }
    return images;
  }

  Ran run(const std::string& args) {
    std::string cmd = "cd '" + (root_ / "cwd").string() + "' && timeout 120 " + OVLSPEC_BIN + " check-image " + args +
                      " >'" + (root_ / "out" / "stdout").string() + "' 2>'" + (root_ / "out" / "stderr").string() + "'";
    int st = std::system(cmd.c_str());
    Ran r;
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(root_ / "out" / "stdout");
    r.err = slurp(root_ / "out" / "stderr");
    return r;
  }

  void expect_cwd_empty() { EXPECT_TRUE(fs::is_empty(root_ / "cwd")) << "check-image wrote into its working directory"; }

  fs::path root_;
  std::string mounts_before_;
};

TEST_F(CheckImageCli, SingleImageIsCleanExit0) {
  auto images = build(gen::composefs_case(3), "one");
  ASSERT_EQ(images.size(), 1u);
  auto before = snapshot(root_ / "one");
  Ran r = run(images[0] + " --objects " + (root_ / "one" / "O").string());
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("kernel: agrees with the model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nclean\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("capture:"), std::string::npos) << r.out;
  EXPECT_EQ(snapshot(root_ / "one"), before);
  expect_cwd_empty();
}

TEST_F(CheckImageCli, TwoImagesWithCaptureExit1AndPrintIt) {
  gen::GenCase g;
  g.options.metacopy = "on";
  g.options.redirect_dir = "on";
  const std::string content = "the object";
  const std::string obj = gen::object_path(content);
  gen::GenEntry f{"/etc/conf", NodeType::Reg, "", content.size(), 0, 0, {}};
  f.xattrs["trusted.overlay.metacopy"] = gen::metacopy_value(content);
  f.xattrs["trusted.overlay.redirect"] = obj;
  g.layers.push_back({"I1", Role::Lower, {f}});
  g.layers.push_back({"I2", Role::Lower, {{obj, NodeType::Reg, "not it", 6, 0, 0, {}}}});
  g.layers.push_back({"O", Role::DataOnly, {{obj, NodeType::Reg, content, content.size(), 0, 0, {}}}});
  auto images = build(g, "two");
  ASSERT_EQ(images.size(), 2u);
  auto before = snapshot(root_ / "two");
  Ran r = run(images[0] + " " + images[1] + " --objects " + (root_ / "two" / "O").string());
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("capture: /etc/conf (redirect " + obj + ")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(images[1] + ":" + obj), std::string::npos) << "the capturing image is named: " << r.out;
  EXPECT_NE(r.out.find("NOT CLEAN"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kernel: agrees with the model"), std::string::npos) << r.out;
  EXPECT_EQ(snapshot(root_ / "two"), before);
  expect_cwd_empty();

  // The same as JSON: one capture finding, clean=false.
  Ran j = run(images[0] + " " + images[1] + " --objects " + (root_ / "two" / "O").string() + " --json");
  EXPECT_EQ(j.code, 1) << j.err;
  EXPECT_NE(j.out.find("\"kind\": \"capture\""), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"clean\": false"), std::string::npos) << j.out;
}

TEST_F(CheckImageCli, BadArgumentsExit2WithALocatedMessage) {
  auto images = build(gen::composefs_case(3), "bad");
  const std::string objects = (root_ / "bad" / "O").string();
  auto before = snapshot(root_ / "bad");

  const std::string missing = (root_ / "bad" / "no-such.img").string();
  Ran r = run(missing + " --objects " + objects);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(missing + ": ENOENT"), std::string::npos) << r.err;

  const std::string malformed = images[0] + "/inside";  // a path through a regular file
  r = run(malformed + " --objects " + objects);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(malformed + ": ENOTDIR"), std::string::npos) << r.err;

  const std::string not_image = (root_ / "bad" / "O").string() + "/../notes.txt";
  std::ofstream(root_ / "bad" / "notes.txt") << "not an image\n";
  before = snapshot(root_ / "bad");
  r = run(not_image + " --objects " + objects);
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("notes.txt"), std::string::npos) << r.err;

  r = run(images[0] + " --objects " + images[0]);  // a file where the object store should be
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(images[0] + ": expected the object store directory"), std::string::npos) << r.err;

  r = run(images[0]);  // no --objects at all
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--objects"), std::string::npos) << r.err;

  EXPECT_EQ(snapshot(root_ / "bad"), before);
  expect_cwd_empty();
}

}  // namespace
}  // namespace ovl
