// A temporary directory for tests, removed (recursively) at scope exit.
#pragma once
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace ovl::test {

/// mkdtemp under $TMPDIR (or /tmp); `rm -rf` at destruction.
class TmpDir {
 public:
  TmpDir() {
    const char* base = std::getenv("TMPDIR");
    std::string t = std::string(base && *base ? base : "/tmp") + "/ovlspec-test.XXXXXX";
    std::vector<char> buf(t.begin(), t.end());
    buf.push_back(0);
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TmpDir() {
    std::string cmd = "chmod -R u+rwx '" + path_ + "' 2>/dev/null; rm -rf '" + path_ + "'";
    if (std::system(cmd.c_str()) != 0) {
    }
  }
  TmpDir(const TmpDir&) = delete;
  TmpDir& operator=(const TmpDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ovl::test
