// fuzz-state.json (fuzz_state.hpp).
#include "fuzz_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_errors.hpp"

namespace ovl::cli {
namespace {

constexpr const char* kSchema = "ovlspec.fuzz-state/1";

nlohmann::json to_json(const FuzzState& s) {
  const auto& p = s.checkpoint.progress;
  nlohmann::json j;
  j["schema"] = kSchema;
  j["seed"] = s.settings.seed;
  j["targets"] = s.settings.targets;
  j["kernel"] = s.settings.kernel;
  j["semantics"] = s.settings.semantics;
  j["batch"] = s.settings.batch;
  j["shrink_tries"] = s.settings.shrink_tries;
  j["cases"] = s.settings.cases;
  j["minutes"] = s.settings.minutes;
  j["next"] = s.checkpoint.next;
  j["progress"] = {{"cases", p.cases},         {"mounts", p.mounts}, {"divergent", p.divergent},
                   {"findings", p.findings},   {"errors", p.errors}, {"seconds", p.seconds}};
  j["groups"] = s.checkpoint.groups;
  j["seen"] = s.checkpoint.seen;
  return j;
}

FuzzState from_json(const nlohmann::json& j) {
  if (!j.is_object() || j.value("schema", "") != kSchema)
    throw std::invalid_argument(std::string("expected an object with \"schema\": \"") + kSchema + "\"");
  FuzzState s;
  s.settings.seed = j.at("seed").get<std::uint64_t>();
  s.settings.targets = j.at("targets").get<std::vector<std::string>>();
  s.settings.kernel = j.at("kernel").get<std::string>();
  s.settings.semantics = j.at("semantics").get<std::string>();
  s.settings.batch = j.at("batch").get<std::size_t>();
  s.settings.shrink_tries = j.at("shrink_tries").get<std::size_t>();
  s.settings.cases = j.at("cases").get<std::size_t>();
  s.settings.minutes = j.at("minutes").get<double>();
  s.checkpoint.next = j.at("next").get<std::uint64_t>();
  const auto& p = j.at("progress");
  s.checkpoint.progress.cases = p.at("cases").get<std::size_t>();
  s.checkpoint.progress.mounts = p.at("mounts").get<std::size_t>();
  s.checkpoint.progress.divergent = p.at("divergent").get<std::size_t>();
  s.checkpoint.progress.findings = p.at("findings").get<std::size_t>();
  s.checkpoint.progress.errors = p.at("errors").get<std::size_t>();
  s.checkpoint.progress.seconds = p.at("seconds").get<double>();
  s.checkpoint.groups = j.at("groups").get<std::map<std::string, std::size_t>>();
  s.checkpoint.seen = j.at("seen").get<std::set<std::string>>();
  if (s.settings.targets.empty()) throw std::invalid_argument("\"targets\" is empty");
  if (s.settings.batch < 1 || s.settings.batch > 4096) throw std::invalid_argument("\"batch\" is not in 1..4096");
  return s;
}

void fsync_path(const std::filesystem::path& p, int flags) {
  int fd = open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(p.string() + ": " + std::strerror(errno));
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  if (rc != 0) throw std::runtime_error(p.string() + ": fsync: " + std::strerror(e));
}

}  // namespace

std::filesystem::path fuzz_state_path(const std::filesystem::path& out_dir) { return out_dir / "fuzz-state.json"; }

void save_fuzz_state(const std::filesystem::path& out_dir, const FuzzState& s) {
  const auto path = fuzz_state_path(out_dir);
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << to_json(s).dump() << "\n";
    f.close();
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
  }
  fsync_path(tmp, O_RDONLY);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  fsync_path(out_dir, O_RDONLY | O_DIRECTORY);
}

FuzzState load_fuzz_state(const std::filesystem::path& out_dir) {
  const auto path = fuzz_state_path(out_dir);
  std::ifstream f(path);
  if (!f)
    throw BadInput("fuzz: --resume: " + path.string() +
                   ": cannot be read (expected the fuzz-state.json of an earlier `ovlspec fuzz --out " + out_dir.string() +
                   "`)");
  std::stringstream text;
  text << f.rdbuf();
  try {
    return from_json(nlohmann::json::parse(text.str()));
  } catch (const std::exception& e) {
    throw BadInput("fuzz: --resume: " + path.string() + ": malformed fuzz state: " + e.what());
  }
}

}  // namespace ovl::cli
