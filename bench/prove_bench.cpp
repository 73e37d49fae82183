// Solve time of the prover's theorems against their bounds, so that growth is visible:
// T1/T3 over the string length, T4–T6 over layers and depth. One iteration per point (each
// point is a full named query); the counters say what Z3 answered.
#include <benchmark/benchmark.h>

#include "ovl/smt_theorems.hpp"

namespace {

using ovl::smt::Answer;

void report(benchmark::State& state, const std::vector<ovl::smt::TheoremRow>& rows) {
  double solver = 0;
  int pass = 0;
  for (const auto& r : rows) {
    solver += r.seconds;
    pass += r.verdict() == "pass";
  }
  state.counters["solver_s"] = solver;
  state.counters["rows_pass"] = pass;
  state.counters["rows"] = static_cast<double>(rows.size());
}

void syntax(benchmark::State& state, const char* id) {
  ovl::smt::ProveOptions o;
  o.syntax_length = static_cast<int>(state.range(0));
  o.solve.timeout_seconds = 300;
  std::vector<ovl::smt::TheoremRow> rows;
  for (auto _ : state) rows = ovl::smt::prove(id, o);
  report(state, rows);
}

void lookup(benchmark::State& state, const char* id) {
  ovl::smt::ProveOptions o;
  o.lookup.layers = static_cast<int>(state.range(0));
  o.lookup.depth = static_cast<int>(state.range(1));
  o.solve.timeout_seconds = 300;
  o.minimise = false;  // time the theorem, not the witness minimisation
  std::vector<ovl::smt::TheoremRow> rows;
  for (auto _ : state) rows = ovl::smt::prove(id, o);
  report(state, rows);
}

void BM_T1(benchmark::State& s) { syntax(s, "T1"); }
void BM_T3(benchmark::State& s) { syntax(s, "T3"); }
void BM_T4(benchmark::State& s) { lookup(s, "T4"); }
void BM_T5(benchmark::State& s) { lookup(s, "T5"); }
void BM_T6(benchmark::State& s) { lookup(s, "T6"); }

BENCHMARK(BM_T1)->DenseRange(8, 24, 4)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_T3)->DenseRange(8, 24, 4)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_T4)->Args({2, 2})->Args({3, 2})->Args({4, 2})->Args({3, 3})->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_T5)->Args({2, 2})->Args({3, 2})->Args({4, 2})->Args({3, 3})->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_T6)->Args({2, 2})->Args({3, 2})->Args({4, 2})->Args({3, 3})->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
