"""Comments cite the project's documents by a path that exists in the repository, and a section
number that exists in that document (docs/DESIGN.md 6.3), never a document outside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("fieldapp", "tests", "benchmarks", "packaging")
CITATION = re.compile(r"\bdocs/(\w+\.md)(?: (?:section |sections |§ ?)?(\d+(?:\.\d+)?)(?:[-–](\d+(?:\.\d+)?))?)?")
# A document named without the docs/ folder: DESIGN.md 5, STYLE.md, ../shared/DESIGN.md…
BARE = re.compile(r"(?<![\w/])(?:\.\./shared/)?(?:DESIGN|STYLE)\.md|(?<![\w/])DESIGN \d")


def _sections(document: Path) -> set[str]:
    numbers = set()
    for line in document.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"#{2,4} (\d+(?:\.\d+)?)\.? ", line)
        if heading:
            numbers.add(heading.group(1))
    return numbers


def broken_citations(text: str, where: str) -> list[str]:
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        for bare in BARE.finditer(line):
            if not line[:bare.start()].endswith("docs/"):
                problems.append(f"{where}:{number}: {bare.group(0)} is not a path in the repository")
        for cited in CITATION.finditer(line):
            document = ROOT / "docs" / cited.group(1)
            if not document.exists():
                problems.append(f"{where}:{number}: docs/{cited.group(1)} does not exist")
                continue
            for section in filter(None, cited.group(2, 3)):
                if section not in _sections(document):
                    problems.append(f"{where}:{number}: docs/{cited.group(1)} has no section {section}")
    return problems


def _source_files():
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".sql", ".spec", ".sh") and "__pycache__" not in path.parts \
                    and path != Path(__file__).resolve():
                yield path


def test_every_citation_names_a_document_and_section_that_exist():
    problems = []
    for path in _source_files():
        problems += broken_citations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert problems == []


def test_the_check_catches_a_citation_outside_the_repository_or_to_no_section():
    planted = ("# told at unlock (DESIGN.md 5)\n"
               "# see ../shared/STYLE.md\n"
               "# merge rules (docs/DESIGN.md 6.9)\n"
               "# layers (docs/LAYOUT.md 2)\n"
               "# fine (docs/DESIGN.md 6.3) and (docs/DESIGN.md 2.5-2.7) and docs/STYLE.md\n")
    found = broken_citations(planted, "planted.py")
    assert found == ["planted.py:1: DESIGN.md is not a path in the repository",
                     "planted.py:2: ../shared/STYLE.md is not a path in the repository",
                     "planted.py:3: docs/DESIGN.md has no section 6.9",
                     "planted.py:4: docs/LAYOUT.md does not exist"]
