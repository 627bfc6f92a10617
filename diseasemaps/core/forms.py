from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """
    Our own field markup for every form on the site (allauth's included): the label, help text
    in a <div> (it may hold a list, as the password rules do) that the input names in
    aria-describedby, the errors it also names, then the input.
    """

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
