"""Script-injection vectors a submission can put into the pages an instructor or student opens.

Each vector, if it ran, would add its name to `window.top.__pwned` and try to write
`pwned_<name>.txt` through the Jupyter contents API with the viewer's session. tests/test_xss.py
renders them without and with trainlab's sanitizing and grades them through the real pipeline.
"""
from __future__ import annotations

import json


def payload(name: str) -> str:
    """JavaScript (no double quotes, so it fits in an HTML attribute) that marks `name` as run."""
    return ("(function(){var w=window.top;w.__pwned=(w.__pwned||[]).concat(['" + name + "']);"
            "var x=(document.cookie.match(/_xsrf=([^;]+)/)||[])[1]||'';"
            "try{fetch('/api/contents/pwned_" + name + ".txt',{method:'PUT',headers:{'Content-Type':"
            "'application/json','X-XSRFToken':x},body:JSON.stringify({type:'file',format:'text',"
            "content:'pwned'})})}catch(e){}})()")


def output_bundles() -> dict[str, dict]:
    """name -> a display_data bundle (mimetype -> data) that carries the payload."""
    p = payload
    return {
        "script_html": {"text/html": f"<script>{p('script_html')}</script>"},
        "javascript_output": {"application/javascript": p("javascript_output"), "text/plain": "js"},
        "svg_script": {"image/svg+xml": f'<svg xmlns="http://www.w3.org/2000/svg"><script>{p("svg_script")}</script></svg>'},
        "svg_onload_html": {"text/html": f'<svg onload="{p("svg_onload_html")}"></svg>'},
        "img_onerror": {"text/html": f'<img src="x" onerror="{p("img_onerror")}">'},
        "iframe_srcdoc": {"text/html": f'<iframe srcdoc="<script>{p("iframe_srcdoc")}</script>"></iframe>'},
        "details_ontoggle": {"text/html": f'<details open ontoggle="{p("details_ontoggle")}"><summary>x</summary></details>'},
        "markdown_output_img": {"text/markdown": f'<img src="x" onerror="{p("markdown_output_img")}">'},
        "widget_view": {"application/vnd.jupyter.widget-view+json": {"model_id": "1", "version_major": 2},
                        "text/html": f"<script>{p('widget_view')}</script>"},
        "style_onload": {"text/html": f'<style onload="{p("style_onload")}"></style>'},
        "object_data": {"text/html": f'<object data="data:text/html,<script>{p("object_data")}</script>"></object>'},
        "embed_src": {"text/html": f'<embed src="data:text/html,<script>{p("embed_src")}</script>">'},
        "body_onpageshow": {"text/html": f'<body onpageshow="{p("body_onpageshow")}">'},
        "input_autofocus": {"text/html": f'<input autofocus onfocus="{p("input_autofocus")}">'},
        "mutation_noscript": {"text/html": f'<noscript><p title="</noscript><img src=x onerror={p("mutation_noscript").replace(" ", "")}>"></noscript>'},
        "math_mglyph": {"text/html": f'<math><mtext><table><mglyph><style><img src=x onerror="{p("math_mglyph")}">'},
        "video_onerror": {"text/html": f'<video><source onerror="{p("video_onerror")}"></video>'},
    }


# Links a reader must click: counted as live when the page holds a link with this scheme.
LINK_MARK = "javascript:"


def markdown_answer() -> str:
    """A written answer (markdown) carrying raw HTML and a javascript: link."""
    p = payload
    return ("My answer.\n\n"
            f"<script>{p('answer_script')}</script>\n\n"
            f'<img src="x" onerror="{p("answer_img")}">\n\n'
            f'<a href="javascript:{p("answer_link")}">more</a>, [a link](javascript:void(0)) and [my plot](plot.html)\n')


def display_code() -> str:
    """A code cell that displays every bundle (what a student's kernel would produce)."""
    return ("from IPython.display import display\n"
            f"for _bundle in {json.dumps(list(output_bundles().values()))!s}:\n"
            "    display(_bundle, raw=True)\n"
            f"print({json.dumps('<script>' + payload('stream_text') + '</script>')})\n")


NAMES = sorted([*output_bundles(), "answer_script", "answer_img", "stream_text"])
