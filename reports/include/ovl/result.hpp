// The result record: one verdict per case × target, and the run header of results.jsonl.
// Every report (JUnit, KTAP, Markdown, HTML) is rendered from these records alone.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ovl/observation.hpp"

namespace ovl {

/// The schema name written into the header line of results.jsonl.
inline constexpr const char* kResultsSchema = "ovlspec.results/1";

/// The outcome of one case on one target. Skip and Error are never counted as a pass.
enum class Verdict : std::uint8_t {
  Pass,   // the target agrees with the model and with every expect line
  Fail,   // a divergence or a failed expectation
  Skip,   // the target (or this machine) cannot run the case; `reason` says why
  Error,  // the harness failed (timeout, crash, bad case …); `reason` says what happened
};

/// "pass", "fail", "skip" or "error".
std::string_view verdict_name(Verdict v);
/// The inverse of verdict_name; nullopt for anything else.
std::optional<Verdict> verdict_from_name(std::string_view name);

/// One case run on one target: the line that results.jsonl holds per result.
struct Result {
  std::string case_name;                  // "data-only/capture-by-regular-lower"
  std::string source_file;                // the .ovl file, "" for generated cases
  std::vector<std::string> clauses;       // the case's clause ids, in case order
  std::string target;                     // "model", "kernel", "kernel-fsconfig", …
  std::string semantics;                  // Semantics::name() the model ran at, "kernel-6.18"
  Verdict verdict = Verdict::Pass;
  std::string reason;                     // skip / error: why
  std::vector<Divergence> divergences;    // target vs model
  std::vector<std::string> failed_expectations;  // "file:line: …" from the case's expect lines
  std::optional<Observation> model_observation;   // kept for the HTML diff (failures at least)
  std::optional<Observation> target_observation;
  std::string reproducer;                 // standalone shell script (failures), "" if none
  double seconds = 0;                     // wall time of the target run
  std::optional<std::uint64_t> seed;      // generated cases: the seed that regenerates the case
  std::string origin = "corpus";          // "corpus", "generated", "fuzz", "prover" …

  /// The clause section the case belongs to: the first dotted component of its first clause
  /// ("data" for data.redirect.order; "proposal.data-only-middle" for proposal ids); without
  /// clauses, the origin of a generated case ("generated"), or "unclassified".
  std::string section() const;
};

/// Whether a target could run at all on this machine, and if not, why.
struct TargetAvailability {
  std::string name;
  bool available = true;
  std::string reason;  // why not, when !available
  std::string level;   // the kernel feature level the model is compared at ("6.18")
  bool operator==(const TargetAvailability&) const = default;
};

/// The first line of results.jsonl: what produced the results, where and when.
struct RunHeader {
  std::string ovlspec_version;                // "0.1.0"
  std::string kernel_release;                 // uname -r, "6.18.44-…"
  std::string date;                           // UTC, ISO 8601 "2026-11-29T09:41:20Z"
  std::string command;                        // "run", "fuzz", "prove" …
  std::vector<TargetAvailability> targets;    // requested targets, available or not
  std::optional<std::string> z3_version;      // when the prover ran
  std::optional<std::uint64_t> seed;          // the generator / fuzzer seed
  bool operator==(const RunHeader&) const = default;
};

/// The ovlspec version (the CMake project version), for RunHeader::ovlspec_version.
std::string ovlspec_version();
/// The calendar time now in UTC, as RunHeader::date wants it.
std::string utc_timestamp_now();

nlohmann::json to_json(const Divergence& d);
nlohmann::json to_json(const Result& r);
nlohmann::json to_json(const RunHeader& h);
/// Parse back; throw std::invalid_argument naming the missing or malformed field.
Divergence divergence_from_json(const nlohmann::json& j);
Result result_from_json(const nlohmann::json& j);
RunHeader run_header_from_json(const nlohmann::json& j);

}  // namespace ovl
