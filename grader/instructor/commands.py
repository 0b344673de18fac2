"""Instructor sub-commands of `trainlab` (absent from the student release)."""
from __future__ import annotations

from pathlib import Path

from ..core.runner import Runner, project_root


def cmd_release(args) -> int:
    from .release import build_release

    out = build_release(project_root(), args.out)
    print(f"student release written to {out}")
    return 0


def cmd_fixtures(args) -> int:
    from ..core.engine import reference_src
    from .make_fixtures import make_fixtures

    ref = reference_src()
    if ref is None:
        raise FileNotFoundError("the reference solutions are not here; run this in the instructor repository.")
    counts = make_fixtures(Runner(ref), topics=args.topics or None)
    print("fixtures written: " + ", ".join(f"{t} ({n} cases)" for t, n in sorted(counts.items())))
    return 0


def cmd_sync_notebooks(args) -> int:
    from .checklist import sync_notebooks

    changed = sync_notebooks(project_root())
    print("; ".join(f"notebooks/{name}: {n} test cell(s) updated" for name, n in changed.items())
          or "every test cell's points already match its checks")
    return 0


def cmd_checklist(args) -> int:
    from .checklist import problems

    found = problems(project_root())
    for line in found:
        print(f"- {line}")
    print(f"{len(found)} problem(s) in the checklist of the graded functions (CONTRIBUTING.md)" if found
          else "every graded function is complete: solution region, checks, fixtures, notebook cells, points")
    return 1 if found else 0


def cmd_course(args) -> int:
    from .course import build_course

    out = build_course(project_root(), args.out, generate=not args.no_generate, exchange=args.exchange,
                       course_id=args.course_id, **({"db_url": args.db} if args.db else {}))
    print(f"nbgrader course {args.course_id!r} written to {out}; run nbgrader commands from that folder.\n"
          f"Students copy {out / 'student_nbgrader_config.py'} to ~/.jupyter/nbgrader_config.py "
          "to fetch and submit through the course's exchange.")
    return 0


def _progress(items, total=None, unit="student"):
    """A tqdm bar over finished grading jobs (students, or notebooks) with the rate; the caller
    reports failures."""
    import sys

    from tqdm import tqdm

    return tqdm(items, total=total, desc="graded", unit=unit, file=sys.stdout)


def _print_scores(summary: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="autograded scores")
    for column in ("student", "autograded", "max", "written", "checks failed", "status"):
        table.add_column(column)
    for student, entry in summary.items():
        score = entry.get("autograded_score")
        table.add_row(student, "-" if score is None else f"{score:g}", f"{entry.get('autograded_max', 0):g}",
                      _written(entry),
                      str(len(entry.get("checks_failed", []))) if "checks_failed" in entry else "-",
                      ("ok" + (" (unchanged, kept)" if entry.get("skipped") else "") if entry.get("ok")
                       else f"[red]{entry.get('error', 'not graded')}[/]")
                      + (f"; left out (links, special files or files of other kinds): {', '.join(entry['left_out'])}"
                         if entry.get("left_out") else ""))
    Console(highlight=False).print(table)


def _written(entry: dict) -> str:
    """Written points as 'score/max', with how many answers still wait for a hand grade."""
    if "written_max" not in entry:
        return "-"
    text = f"{entry['written_score']:g}/{entry['written_max']:g}"
    return text + (f" ({entry['written_to_grade']} to grade)" if entry.get("written_to_grade") else "")


def cmd_autograde(args) -> int:
    from ..sandbox.host import isolation
    from .autograde import autograde_all
    from .gradebook import scores

    if args.db:
        from .layout import db_url_of
        from .gradebook import use_gradebook

        if args.db != db_url_of(args.course):
            use_gradebook(args.course, args.db)
            print(f"the course's gradebook is now {args.db} (nbgrader_config.py)")
    isolation()  # says here, once, if grading runs without namespaces (the nbgrader processes' notices are not shown)
    if args.checks_only:
        from .checks_only import regrade_checks

        status = regrade_checks(args.course, args.submitted, progress=_progress, students=args.student or None,
                                workers=args.workers, force=args.force)
    else:
        status = autograde_all(args.course, args.submitted, progress=_progress, workers=args.workers,
                               students=args.student or None, force=args.force, scheduler=args.scheduler)
    graded = scores(args.course)
    _print_scores({s: {**graded.get(s, {}), **status[s]} for s in status})
    kept = sum(1 for entry in status.values() if entry.get("skipped"))
    failed = sum(1 for entry in status.values() if not entry["ok"])
    print(f"{len(status) - kept - failed} graded, {kept} unchanged and kept, {failed} failed; "
          f"feedback in {args.course}/feedback, grades in {args.course}/grades.csv")
    if args.checks_only:
        changed = sum(1 for entry in status.values() if entry.get("changed"))
        renewed = "every regraded student's feedback" if args.force else "the feedback of those students"
        print(f"--checks-only updated the cells whose score comes from the checks: grades or check lines changed "
              f"for {changed} students, and {renewed} was written again; notebook-only cells (the best model) "
              "and written answers keep their grades.")
    return 0 if all(entry["ok"] for entry in status.values()) else 1


def cmd_report(args) -> int:
    from .class_report import build_report

    out = build_report(args.course, args.out)
    print(f"class report written to {out}")
    return 0


def cmd_mistakes(args) -> int:
    from ..mistakes.page import write_page

    path, clusters = write_page(args.course, args.out)
    wrong = sum(len(c.members) for cs in clusters.values() for c in cs if c.kind not in ("correct", "not implemented"))
    groups = sum(c.kind in ("named", "unnamed") for cs in clusters.values() for c in cs)
    print(f"mistakes page written to {path}: {groups} groups of wrong answers ({wrong} function submissions); "
          f"write one note per group into {Path(args.course) / 'mistake_notes.toml'}, then run the feedback again.")
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    summary = run_demo(args.out, progress=_progress)
    _print_scores(summary["students"])
    print(f"demo finished in {summary['seconds']} s; summary in {args.out}/summary.json")
    return 0


def add_instructor_parsers(sub) -> None:
    p = sub.add_parser("course", help="build an nbgrader course folder (source, config, gradebook, release)")
    p.add_argument("--out", required=True, help="an empty or new folder")
    p.add_argument("--no-generate", action="store_true", help="skip `nbgrader generate_assignment`")
    p.add_argument("--exchange", default=None, metavar="DIR",
                   help="nbgrader's exchange folder, shared with the students (default: OUT/exchange)")
    p.add_argument("--course-id", default="trainlab", help="the course id in the exchange (default: trainlab)")
    p.add_argument("--db", default=None, metavar="URL",
                   help="the gradebook: any SQLAlchemy URL nbgrader accepts (default: SQLite in the course folder)")
    p.set_defaults(func=cmd_course)
    p = sub.add_parser("autograde", help="autograde submitted/<student>/<assignment>/ folders, then feedback and CSV")
    p.add_argument("submitted", help="folder holding <student>/<assignment>/ submissions")
    p.add_argument("--course", required=True, help="the course folder made by `trainlab course`")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="students graded at once, each in its own processes (default: one per core)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the grading jobs on this Dask distributed scheduler (e.g. tcp://10.0.0.5:8786); "
                        "workers need the trainlab environment, no shared folder")
    p.add_argument("--student", action="append", metavar="ID",
                   help="grade only this student (again, even if unchanged); repeat for several")
    p.add_argument("--force", action="store_true",
                   help="grade every student again, changed or not (with --checks-only: rewrite everyone's feedback)")
    p.add_argument("--db", default=None, metavar="URL",
                   help="grade into this gradebook (any SQLAlchemy URL nbgrader accepts, e.g. PostgreSQL); "
                        "it becomes the course's gradebook")
    p.add_argument("--checks-only", action="store_true",
                   help="regrade the student modules with the trusted checks alone, without running notebooks")
    p.set_defaults(func=cmd_autograde)
    p = sub.add_parser("report", help="one HTML page: score histograms, failing checks, common mistakes, failures, timing")
    p.add_argument("--course", required=True, help="the course folder made by `trainlab course`")
    p.add_argument("--out", default="report.html", help="the HTML file to write (default: report.html)")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("mistakes", help="group the class's wrong answers per function (HTML page) for notes in feedback")
    p.add_argument("--course", type=Path, required=True, help="the course folder")
    p.add_argument("--out", type=Path, default=None, help="the page (default: COURSE/mistakes.html)")
    p.set_defaults(func=cmd_mistakes)
    p = sub.add_parser("demo", help="the whole pipeline on the embedded default: course, release, grading")
    p.add_argument("--out", required=True, help="an empty or new folder")
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("release", help="write the student release (solutions stubbed, no hidden checks)")
    p.add_argument("--out", required=True, help="an empty or new folder")
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("sync-notebooks", help="write each test cell's points (from its checks) into notebooks/")
    p.set_defaults(func=cmd_sync_notebooks)
    p = sub.add_parser("checklist", help="check that every graded function has each part CONTRIBUTING.md lists")
    p.set_defaults(func=cmd_checklist)
    p = sub.add_parser("fixtures", help="rewrite the public fixtures from the reference solutions")
    p.add_argument("topics", nargs="*", metavar="TOPIC", help="topics to rewrite (default: all)")
    p.set_defaults(func=cmd_fixtures)
