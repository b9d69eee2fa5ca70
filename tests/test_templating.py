"""Values the domains give every template: each under its own domain's name, none given twice,
and every such name a template uses is one a domain gives (a misspelt one would render empty)."""
import re

from jinja2 import meta

from tests.conftest import ROOT


def given_by_each_processor(app):
    with app.test_request_context():
        return [(processor, set(processor())) for processor in
                app.template_context_processors[None]]


def test_no_two_domains_give_templates_the_same_name(app):
    seen, twice = {}, []
    for processor, names in given_by_each_processor(app):
        for name in names:
            if name in seen:
                twice.append(f"{name}: {seen[name]} and {processor.__module__}")
            seen[name] = processor.__module__
    assert twice == []


def test_each_domains_values_are_named_after_it(app):
    domains = {name for name in app.blueprints}
    for processor, names in given_by_each_processor(app):
        domain = processor.__module__.split(".")[1]
        if domain not in domains:
            continue  # Flask's and its extensions' own (csrf_token, g, request…)
        assert all(name.startswith(f"{domain}_") for name in names), (domain, names)


def passed_by_views():
    """Names the code passes to templates itself (render_template(..., actions_board=…), or a
    section's page values {"actions_board": …}, see live/sections.py)."""
    code = "\n".join(path.read_text() for path in (ROOT / "facilitator").rglob("*.py"))
    sections = "\n".join(path.read_text()
                         for path in (ROOT / "facilitator").rglob("sections.py"))
    return set(re.findall(r"\b(\w+)=", code)) | set(re.findall(r'"(\w+)":', sections))


def test_every_domain_value_a_template_uses_is_given(app):
    given = set().union(*(names for _, names in given_by_each_processor(app)), passed_by_views())
    prefixes = tuple(f"{name}_" for name in app.blueprints)
    missing = []
    for template in app.jinja_env.list_templates(extensions=["html"]):
        source = app.jinja_env.loader.get_source(app.jinja_env, template)[0]
        used = meta.find_undeclared_variables(app.jinja_env.parse(source))
        missing += [f"{template}: {name}" for name in sorted(used)
                    if name.startswith(prefixes) and name not in given]
    assert missing == []
