"""Runs the unittest suite under the standard library's trace module and writes coverage.xml in the
Cobertura format (what coverage.py's `coverage xml` and pytest-cov write), so this sample needs
nothing from PyPI. A project with pytest-cov would use `python -m pytest --cov --cov-report=xml`.

    python3 tools/coverage_cobertura.py [SOURCE_DIR] [OUTPUT]     default: service coverage.xml
Exit status: the test run's (1 when a test fails).
"""
import os
import sys
import threading
import trace
import unittest
from xml.sax.saxutils import quoteattr


def main(source="service", output="coverage.xml"):
    root = os.getcwd()
    sys.path.insert(0, root)
    tracer = trace.Trace(count=1, trace=0, ignoredirs=[sys.prefix, sys.exec_prefix])
    outcome = {}

    def run_tests():
        suite = unittest.defaultTestLoader.discover("tests", top_level_dir=root)
        outcome["result"] = unittest.TextTestRunner(verbosity=1).run(suite)

    # Threads too: the tests serve HTTP from a thread, and trace only follows the calling one by itself.
    threading.settrace(tracer.globaltrace)
    try:
        tracer.runfunc(run_tests)
    finally:
        threading.settrace(None)
    counts = tracer.results().counts
    files = sorted(
        os.path.join(dirpath, name)
        for dirpath, _, names in os.walk(os.path.join(root, source))
        for name in names
        if name.endswith(".py")
    )
    classes, valid, covered = [], 0, 0
    for path in files:
        executable = sorted(trace._find_executable_linenos(path))  # the lines trace can count
        hits = {line: counts.get((path, line), 0) for line in executable}
        file_covered = sum(1 for count in hits.values() if count > 0)
        valid += len(hits)
        covered += file_covered
        rate = file_covered / len(hits) if hits else 1.0
        lines = "".join(f'<line number="{line}" hits="{count}"/>' for line, count in hits.items())
        relative = os.path.relpath(path, root)
        classes.append(
            f"<class name={quoteattr(relative)} filename={quoteattr(relative)} line-rate=\"{rate:.4f}\">"
            f"<lines>{lines}</lines></class>"
        )
    rate = covered / valid if valid else 1.0
    with open(output, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" ?>\n')
        out.write(
            f'<coverage version="stdlib-trace" line-rate="{rate:.4f}" lines-covered="{covered}" '
            f'lines-valid="{valid}" branch-rate="0" branches-covered="0" branches-valid="0">'
            f'<packages><package name={quoteattr(source)} line-rate="{rate:.4f}"><classes>'
            + "".join(classes)
            + "</classes></package></packages></coverage>\n"
        )
    print(f"coverage: {covered}/{valid} lines ({100 * rate:.1f}%) → {output}")
    return 0 if outcome["result"].wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
