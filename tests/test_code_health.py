"""The code says what it does and nothing more: no function that nothing calls, and comments
that cite only documents the repository has."""
import ast
import re
from collections import Counter

from tests.conftest import ROOT

APP = [ROOT / "app.py", *(ROOT / "facilitator").rglob("*.py"), *(ROOT / "scripts").glob("*.py"),
       *(ROOT / "migrations").rglob("*.py"), *(ROOT / "templates").rglob("*.html"),
       *(ROOT / "static" / "js").glob("*.js")]
# Called by name by the libraries, not by our code: WTForms' field validators and form options.
BY_CONVENTION = re.compile(r"^(__\w+__|validate_\w+|Meta)$")


def app_text():
    return "\n".join(path.read_text() for path in APP)


def undecorated_definitions():
    """(file, line, name) of each function and class our code would have to call by name; the
    decorated ones (routes, socket handlers, renderers, properties) are reached another way."""
    for path in (ROOT / "facilitator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.decorator_list \
                    and not BY_CONVENTION.match(node.name):
                yield path.relative_to(ROOT), node.lineno, node.name


def test_every_function_and_class_is_used_by_the_app_not_only_by_tests():
    words = Counter(re.findall(r"\w+", app_text()))
    unused = [f"{path}:{line} {name}" for path, line, name in undecorated_definitions()
              if words[name] < 2]
    assert unused == [], "nothing calls these: remove them (or say who should call them)"


def test_comments_cite_only_documents_in_the_repository():
    sources = [*APP, ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
               *(ROOT / "tests").glob("*.py")]
    missing = []
    for path in sources:
        text = path.read_text()
        if path.name != "test_code_health.py" and re.search(r"DESIGN rule", text):
            missing.append(f"{path.relative_to(ROOT)} cites DESIGN rules (not in this repository)")
        for cited in set(re.findall(r"\bdocs/[\w-]+\.md", text)):
            if not (ROOT / cited).is_file():
                missing.append(f"{path.relative_to(ROOT)} cites {cited}, which is not here")
    assert missing == []
