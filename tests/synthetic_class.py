"""A synthetic class made from the catalogues: each student has 0-3 catalogued mistakes in different
functions and correct variants in their own style elsewhere. Used by tests/test_mistakes.py and
benchmarks/mistakes.py to measure how well clusters match the planted mistakes."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.core.engine import reference_src, run_checks
from grader.core.runner import Runner
from grader.mistakes.fingerprint import fingerprint
from grader.mistakes.probes import counted_functions, failed_by_function
from grader.mistakes.library import graded_functions
from tests.mutants import all_mutants
from tests.variants import all_variants

CORRECT = "correct"


@dataclass
class Student:
    id: str
    seed: int
    overrides: dict = field(default_factory=dict)
    truth: dict = field(default_factory=dict)  # "topic.function" -> mutant id or CORRECT
    variants: list = field(default_factory=list)


def make_class(size: int, seed: int = 0, mutants=None, topics=None) -> list[Student]:
    rng = np.random.default_rng(seed)
    functions = [f for f in graded_functions() if topics is None or f.partition(".")[0] in topics]
    mutants = [m for m in (mutants if mutants is not None else all_mutants()) if m.target in functions]
    clean = [v for v in all_variants() if not v.breaks and all(t in functions for t in v.targets)]
    students = []
    for n in range(size):
        student = Student(f"s{n:04d}", int(rng.integers(2**31)))
        for m in rng.permutation(len(mutants))[:int(rng.integers(0, 4))]:
            mutant = mutants[int(m)]
            if set(mutant.overrides) & set(student.overrides):
                continue
            student.overrides.update(mutant.overrides)
            student.truth[mutant.target] = mutant.id
        for v in rng.permutation(len(clean))[:int(rng.integers(0, 4))]:
            variant = clean[int(v)]
            if not set(variant.targets) & set(student.overrides):
                student.overrides.update(variant.targets)
                student.variants.append(variant.id)
        for function in functions:
            student.truth.setdefault(function, CORRECT)
        students.append(student)
    return students


def fingerprint_student(student: Student, libraries: dict, reference: Runner) -> dict:
    """The student's fingerprint as grading makes it: checks with fresh inputs from their seed, then the probes."""
    src = reference_src()
    topics = sorted({f.partition(".")[0] for f in student.truth})
    results = run_checks(src, topics=topics, hidden=True, seed=student.seed, overrides=student.overrides,
                         fresh=True, reference=reference)
    runner = Runner(src, overrides=student.overrides)
    return fingerprint(runner, reference, libraries, list(student.truth), failed_by_function(results),
                       counted_functions(results))
