"""Mistake discovery (grader/mistakes): the probe bank tells the catalogued mistakes apart, a synthetic
class made from the catalogues clusters as it was planted, a mistake missing from the naming library
still forms its own group, correct code in another style stays with the correct answers, and an
instructor's note on a group reaches every member's feedback."""
import json

import numpy as np
import pytest

from grader.core.engine import reference_src
from grader.core.runner import Runner
from grader.mistakes import library as lib_mod
from grader.mistakes.clusters import FINGERPRINT_SUFFIX, cluster_class, cluster_id, label, purity_and_completeness
from grader.mistakes.fingerprint import relation
from grader.mistakes.notes import NOTES_FILE, entry, notes_for
from tests.mutants import all_mutants
from tests.synthetic_class import CORRECT, Student, fingerprint_student, make_class
from tests.variants import all_variants

# Mistakes no input of the cases can tell apart: both write the same entry of the caller's stats.
ALIKE = {("preprocessing.pca_reconstruct: reshapes stats['mean'] to a (1, D) row inside the caller's stats",
          "preprocessing.pca_reconstruct: stores the transposed components back into the caller's stats")}


@pytest.fixture(scope="module")
def libraries():
    return lib_mod.load()


@pytest.fixture(scope="module")
def reference():
    return Runner(reference_src())


def test_the_stored_library_is_what_the_catalogue_gives(libraries):
    """grader/mistakes/library.* is rebuilt from tests/mutants (`python -m grader.mistakes.library`) after
    a mistake or a case changes; here two topics are rebuilt and must equal what is stored."""
    functions = [f for f in libraries if f.partition(".")[0] in ("activations", "schedules")]
    rebuilt = lib_mod.build(all_mutants(), reference_src(), functions)
    for function in functions:
        assert [p.spec() for p in rebuilt[function].bank] == [p.spec() for p in libraries[function].bank], function
        assert rebuilt[function].mistakes == libraries[function].mistakes, function
    assert set(libraries) == set(lib_mod.graded_functions())


def test_the_bank_tells_every_pair_of_catalogued_mistakes_apart(libraries):
    alike = {tuple(sorted(pair)) for lib in libraries.values() for pair in lib.not_told_apart}
    assert alike <= {tuple(sorted(p)) for p in ALIKE}, alike
    sizes = lib_mod.bank_sizes(libraries)
    assert all(len(lib.bank) >= lib_mod.MIN_BANK for lib in libraries.values())
    assert 0 < sum(sizes.values()) <= 8 * len(libraries)  # a few probes per function
    for function, lib in libraries.items():  # each catalogued mistake is named by its own entry
        for m in lib.mistakes:
            record = {"tokens": m["tokens"], "failed": m["failed_always"]}
            key, kind, known = label(record, lib)
            assert kind == "named" and m["id"] in known, (function, m["id"], kind)


def _truth(students, function, libraries):
    canonical = {b: a for lib in libraries.values() for a, b in lib.not_told_apart}
    return {s.id: canonical.get(s.truth[function], s.truth[function]) for s in students if function in s.truth}


def test_a_synthetic_class_clusters_as_its_mistakes_were_planted(libraries, reference):
    """80 students, each with 0-3 catalogued mistakes and correct variants in their own style
    elsewhere, graded as grading does (their own seed, fresh inputs): per function, the clusters
    match the planted mistakes with purity and completeness of at least 0.98, and each planted
    mistake's cluster carries its name. (700 students: benchmarks/bench_mistakes.py.)"""
    students = make_class(80, seed=1)
    prints = {s.id: fingerprint_student(s, libraries, reference) for s in students}
    clusters = cluster_class(prints, libraries)
    low = {}
    for function, found in clusters.items():
        purity, completeness = purity_and_completeness(found, _truth(students, function, libraries))
        if min(purity, completeness) < 0.98:
            low[function] = (round(purity, 3), round(completeness, 3))
        for c in found:
            if c.kind == "named":
                planted = {s.truth[function] for s in students if s.id in c.members}
                assert planted & set(c.known), (function, c.name, planted)
    assert not low, low
    planted = sum(t != CORRECT for s in students for t in s.truth.values())
    assert planted > 60  # the class holds enough mistakes to measure anything


def test_correct_code_in_another_style_is_never_a_mistake(libraries, reference):
    """Every correct variant of the catalogue that passes every check (no style break) lands in the
    correct cluster of each function it replaces."""
    for n, variant in enumerate(v for v in all_variants() if not v.breaks):
        student = Student(f"v{n}", 1000 + n, dict(variant.targets), {t: CORRECT for t in variant.targets})
        record = fingerprint_student(student, libraries, reference)
        for target in variant.targets:
            assert label(record[target], libraries[target])[1] == "correct", (variant.id, target, record[target])


def test_a_mistake_missing_from_the_library_still_forms_its_own_group(reference):
    """With a fifth of the mistakes of two topics held out of the naming library, each held-out
    mistake's students form one unnamed cluster of their own, apart from every named one."""
    topics = ("activations", "normalization")
    mutants = [m for m in all_mutants() if m.topic in topics]
    rng = np.random.default_rng(7)
    held = {mutants[i].id for i in rng.choice(len(mutants), len(mutants) // 5, replace=False)}
    functions = [f for f in lib_mod.graded_functions() if f.partition(".")[0] in topics]
    partial = lib_mod.build([m for m in mutants if m.id not in held], reference_src(), functions)
    students = []
    for n, m in enumerate(m for m in mutants if m.id in held):
        for k in range(2):  # two students per held-out mistake, with different seeds
            truth = {f: CORRECT for f in functions}
            truth[m.target] = m.id
            students.append(Student(f"h{n}_{k}", 50 + 10 * n + k, dict(m.overrides), truth))
    prints = {s.id: fingerprint_student(s, partial, reference) for s in students}
    clusters = cluster_class(prints, partial)
    for s in students:
        target = next(f for f, t in s.truth.items() if t != CORRECT)
        home = next(c for c in clusters[target] if s.id in c.members)
        same = {o.truth[target] for o in students if o.id in home.members}
        assert home.kind == "unnamed" and same == {s.truth[target]}, (s.truth[target], home.kind, home.name, same)


def test_a_mistake_that_draws_from_the_global_random_state_forms_one_group(libraries, reference):
    """Initializers that draw from the global np.random give other values at every call, so no digest
    of their outputs can group their students: their token says the output varies, and the checks
    they fail tell them apart. Named with the full library; one unnamed group each when the naming
    library lacks them."""
    topic = "initialization"
    functions = [f for f in lib_mod.graded_functions() if f.partition(".")[0] == topic]
    mutants = [m for m in all_mutants() if m.topic == topic]
    drawing = [m for m in mutants if "global np.random" in m.bug]
    assert len(drawing) >= 3
    students = [Student(f"g{n}_{k}", 70 + 10 * n + k, dict(m.overrides),
                        {**{f: CORRECT for f in functions}, m.target: m.id})
                for n, m in enumerate(drawing) for k in range(3)]
    partial = lib_mod.build([m for m in mutants if m not in drawing], reference_src(), functions)
    for library, kind in ((libraries, "named"), (partial, "unnamed")):
        clusters = cluster_class({s.id: fingerprint_student(s, library, reference) for s in students}, library)
        for m in drawing:
            members = {s.id for s in students if s.truth[m.target] == m.id}
            homes = [c for c in clusters[m.target] if members & set(c.members)]
            assert len(homes) == 1 and set(homes[0].members) == members and homes[0].kind == kind, \
                (m.id, [(c.kind, c.name, c.members) for c in homes])
            assert kind == "unnamed" or homes[0].known[0] == m.id, (m.id, homes[0].known)


def test_an_unnamed_cluster_says_how_its_output_relates_to_the_expected_one():
    want = np.arange(1.0, 7.0).reshape(2, 3)
    assert relation(2 * want, want, {}, {}, "dx") == "off by a factor 2"
    assert relation(-want, want, {}, {}, "dx") == "sign flipped"
    assert relation(want.T.copy(), want, {}, {}, "dx") == "transposed"
    assert relation(want + 0.5, want, {}, {}, "dx") == "shifted by 0.5"
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    assert relation(x, want, {"x": x}, {}, "dx") == "equals its input x"


def test_a_note_on_a_cluster_reaches_every_member_now_and_later(tmp_path, libraries):
    """The note is keyed by the cluster's id, which each student's own fingerprint gives: two
    members get it, a submission graded later that lands in the cluster gets it, others do not."""
    from grader.instructor.ledger import TRUSTED_FOLDER

    function = "activations.relu_backward"
    lib = libraries[function]
    mistake = lib.mistakes[0]
    wrong = {"tokens": mistake["tokens"], "failed": mistake["failed_always"], "example": None}
    right = {"tokens": ["ok"] * len(lib.bank), "failed": [], "example": None}
    course = tmp_path / "course"
    for student, record in (("ana", wrong), ("bo", wrong), ("cy", right)):
        folder = course / TRUSTED_FOLDER / student
        folder.mkdir(parents=True)
        (folder / f"01_activations{FINGERPRINT_SUFFIX}").write_text(json.dumps({function: record}))
    cid = cluster_id(function, label(wrong, lib)[0])
    (course / NOTES_FILE).write_text(entry(cid, "Take the mask from the forward's input, not from dout."))
    assert notes_for(course, "ana", "01_activations") == notes_for(course, "bo", "01_activations") == [
        (function, "Take the mask from the forward's input, not from dout.")]
    assert notes_for(course, "cy", "01_activations") == []
    later = course / TRUSTED_FOLDER / "dee"
    later.mkdir()
    (later / f"01_activations{FINGERPRINT_SUFFIX}").write_text(json.dumps({function: wrong}))
    assert notes_for(course, "dee", "01_activations")[0][1].startswith("Take the mask")
    (course / NOTES_FILE).write_text("this is [not toml")
    with pytest.raises(ValueError, match="not valid TOML"):
        notes_for(course, "ana", "01_activations")
