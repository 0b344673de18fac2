"""What a submission shows in a page stays text and pictures: no script of a student ever runs.

The formgrader (the instructor's browser, logged in to a Jupyter server that runs as the grading
user) and the feedback pages render the autograded notebooks. Everything in them that a student
controls, the outputs their kernel produced and the markdown of their written answers, is hostile:
a `<script>` in an HTML output, a JavaScript output or an `onerror` handler would run with the
instructor's session and could use the Jupyter API to write files or start a kernel.

`SanitizeOutputs` runs in autograde right after the trusted scores (trusted.autograde_steps), so
the autograded notebook nbgrader stores, which the formgrader and `generate_feedback` read, holds
only: plain text, images (PNG, JPEG), LaTeX, JSON, and HTML or markdown cleaned by bleach (through
nbconvert's SanitizeHTML) to the tags and attributes of ALLOWED_TAGS and ALLOWED_ATTRIBUTES.
Scripts, JavaScript and widget outputs, SVG (which can carry script), iframes, event handlers,
styles, `javascript:` links and saved widget state are removed or shown escaped, as text. The feedback run applies it
again (course.CONFIG) together with `HideHiddenTests`, so feedback shows the hidden checks' results
but never the source of their cells.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from bleach import ALLOWED_TAGS as BLEACH_TAGS
from jinja2 import FileSystemLoader, PrefixLoader
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from traitlets import default

# Markup a cleaned output may keep: text structure, tables (NumPy and rich print them), images.
ALLOWED_TAGS = sorted(set(BLEACH_TAGS) | {
    "p", "br", "hr", "div", "span", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup", "del", "dl", "dt",
    "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "img"})
ALLOWED_ATTRIBUTES = {"*": ["class", "title"], "a": ["href", "title"], "abbr": ["title"],
                      "img": ["src", "alt", "width", "height"], "th": ["colspan", "rowspan", "align"],
                      "td": ["colspan", "rowspan", "align"]}
SAFE_OUTPUTS = {"metadata", "text/plain", "text/latex", "application/json", "image/png", "image/jpeg"}
CLEANED_OUTPUTS = {"text/html", "text/markdown"}
SAFE_SCHEMES = ("http", "https", "mailto")
# markdown link destinations: [text](dest ...) and reference definitions [id]: dest
LINK_DESTINATIONS = re.compile(r"(\]\(\s*<?)([^)\s>]*)|(^[ \t]*\[[^\]]+\]:[ \t]*<?)(\S+?)(?=>?(\s|$))", re.M)
HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.M | re.S)
HIDDEN_NOTE = "# hidden checks: they ran at grading; their results are below"


class SanitizeOutputs(SanitizeHTML):
    """nbconvert's SanitizeHTML with trainlab's allow-lists: every output and markdown cell made safe."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.tags = ALLOWED_TAGS
        self.attributes = ALLOWED_ATTRIBUTES
        self.safe_output_keys = set(SAFE_OUTPUTS)
        self.sanitized_output_types = set(CLEANED_OUTPUTS)
        self.strip = False  # removed markup is shown as text: the page shows what the student's code did
        self.enabled = True  # nbconvert runs a preprocessor only when enabled

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)  # saved widget state: the HTML exporters embed it in a script tag
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for attachment in cell.get("attachments", {}).values():  # markdown pictures: images only
            for kind in [k for k in attachment if k not in ("image/png", "image/jpeg", "image/gif")]:
                del attachment[kind]
        if cell.cell_type == "markdown":  # markdown's own link syntax is not HTML: bleach never sees it
            cell.source = safe_links(cell.source)
        return super().preprocess_cell(cell, resources, index)


def safe_links(markdown: str) -> str:
    """`markdown` with every link destination whose scheme is not http, https or mailto made "#".

    The scheme is read as a browser reads it: after decoding HTML entities and dropping the
    whitespace and control characters a URL parser ignores (`java&#9;script:` is `javascript:`).
    """
    def fix(found):
        prefix, dest = (found.group(1), found.group(2)) if found.group(1) is not None else (found.group(3), found.group(4))
        plain = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(dest)).lower()
        scheme = re.match(r"([a-z][a-z0-9+.\-]*):", plain)
        return prefix + ("#" if scheme and scheme.group(1) not in SAFE_SCHEMES else dest)

    return LINK_DESTINATIONS.sub(fix, markdown)


class HideHiddenTests(Preprocessor):
    """Replace the hidden-tests region of every cell by one comment line (feedback shows results only)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.enabled = True

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = HIDDEN_TESTS.sub(HIDDEN_NOTE, cell.source)
        return cell, resources


class MarkUngraded(Preprocessor):
    """Mark each written answer that waits for an instructor's score (`ungraded`), so that the
    feedback page (templates/feedback) says "not graded yet" where nbgrader would show 0 points."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.enabled = True

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution") and meta.get("grade"):
                    grade = gb.find_grade(meta["grade_id"], info["notebook"], info["assignment"], info["student"])
                    meta["ungraded"] = bool(grade.needs_manual_grade and grade.manual_score is None)
        return nb, resources


def feedback_steps() -> list:
    """nbgrader's feedback steps, in order, with the hidden tests hidden and the outputs sanitized
    before the page is rendered, and the written answers nobody graded yet marked after GetGrades."""
    from nbgrader.converters.generate_feedback import GenerateFeedback
    from nbgrader.preprocessors import GetGrades

    steps = list(GenerateFeedback.class_traits()["preprocessors"].default())
    at = steps.index(GetGrades) + 1
    steps[at:at] = [MarkUngraded]
    from ..mistakes.notes import MistakeNotes

    return steps[:1] + [HideHiddenTests, MistakeNotes, SanitizeOutputs] + steps[1:]


def stock_templates() -> Path:
    import nbgrader

    return Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"


class FeedbackExporter(HTMLExporter):
    """nbgrader's exporter of feedback pages, able to reach nbgrader's own page as "nbgrader/..."
    (templates/feedback extends it)."""

    @default("extra_loaders")
    def _stock_loader(self):
        return [PrefixLoader({"nbgrader": FileSystemLoader(str(stock_templates()))})]


def feedback_template(config) -> None:
    """Point nbgrader's feedback pages at templates/feedback: nbgrader's own page, with "not graded
    yet" for a written answer that waits for its score. The folder takes nbgrader's template name,
    so the formgrader's feedback button (which asks for "feedback" by name) uses it too."""
    config.GenerateFeedback.exporter_class = FeedbackExporter
    config.HTMLExporter.extra_template_basedirs = [str(Path(__file__).parent / "templates"), str(stock_templates())]
