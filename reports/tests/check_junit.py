#!/usr/bin/python3
"""Parses a JUnit XML file strictly and prints one line per testcase: suite, classname, name, verdict.

Exits 1 with the parser's message when the file is not well-formed XML or breaks the JUnit shape
CI reporters expect (testsuites > testsuite > testcase, counts that match the testcases)."""
import sys
import xml.etree.ElementTree as ET


def main(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"{path}: not well-formed: {e}")
        return 1
    if root.tag != "testsuites":
        print(f"{path}: root element is {root.tag}, expected testsuites")
        return 1
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        if suite.tag != "testsuite":
            print(f"{path}: unexpected element {suite.tag} under testsuites")
            return 1
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for case in suite.iter("testcase"):
            counts["tests"] += 1
            verdict = "pass"
            for child, key, name in (("failure", "failures", "fail"), ("error", "errors", "error"),
                                     ("skipped", "skipped", "skip")):
                if case.find(child) is not None:
                    counts[key] += 1
                    verdict = name
            for attr in ("classname", "name", "time"):
                if case.get(attr) is None:
                    print(f"{path}: a testcase in suite {suite.get('name')} has no {attr}")
                    return 1
            float(case.get("time"))
            print("\t".join([suite.get("name"), case.get("classname"), case.get("name"), verdict]))
        for key, n in counts.items():
            if int(suite.get(key, "-1")) != n:
                print(f"{path}: suite {suite.get('name')} says {key}={suite.get(key)}, has {n}")
                return 1
            totals[key] += n
    for key, n in totals.items():
        if int(root.get(key, "-1")) != n:
            print(f"{path}: testsuites says {key}={root.get(key)}, has {n}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
