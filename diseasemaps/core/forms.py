from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """
    Our own field markup for every form on the site (allauth's included): the label, help text
    in a <div> (it may hold a list, as the password rules do) that the input names in
    aria-describedby, the errors it also names, then the input.

    Help text is escaped like any other text: one that needs markup is built where it is
    defined with format_html (the consent link) or already is safe (Django's password rules,
    password_validators_help_text_html), so no help text built from data can inject HTML.
    """

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
