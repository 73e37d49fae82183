// ovl_fmt [--check] FILE…: parses each case file and rewrites it in canonical form (print_case);
// with --check, only reports the files that are not canonical. Exit 2 on a parse error.
#include <fstream>
#include <iostream>
#include <sstream>

#include "ovl/case_format.hpp"

int main(int argc, char** argv) {
  bool check = false;
  int bad = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--check") {
      check = true;
      continue;
    }
    std::ifstream in(arg, std::ios::binary);
    if (!in) {
      std::cerr << arg << ": cannot open\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str(), canon;
    try {
      canon = ovl::print_case(ovl::parse_case(text, arg));
    } catch (const ovl::CaseParseError& e) {
      std::cerr << e.what() << "\n";
      return 2;
    }
    if (canon == text) continue;
    ++bad;
    if (check) {
      std::cout << arg << ": not canonical\n";
    } else {
      std::ofstream(arg, std::ios::binary) << canon;
      std::cout << arg << ": rewritten\n";
    }
  }
  return check && bad ? 1 : 0;
}
