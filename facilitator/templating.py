"""Values a domain gives every template, each named after the domain that gives it."""


def template_values(blueprint):
    """Give every template `function()`'s values as `<domain>_<name>` (the blueprint's name:
    `scaling_reason_limit`, `documents_reason_limit`), so two domains can never give the same
    name and have one silently replace the other's."""
    prefix = f"{blueprint.name}_"

    def register(function):
        @blueprint.app_context_processor
        def named_for_the_domain():
            return {prefix + name: value for name, value in function().items()}
        return function
    return register
