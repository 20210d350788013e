"""The forms of the access pages (org/access_views.py) and of the invitation link."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation

from org.invitations import LoginState
from org.models import PERSON_QUADRANTS, Quadrant, Role

ANY = [("", "Any")]
ROLE_CHOICES = [(role.value, role.label) for role in Role]
ROLE_ERRORS = {"required": "Choose a role.", "invalid_choice": "Choose one of the roles."}


class AccessFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "A name or email"}),
    )
    state = forms.ChoiceField(required=False, label="Login", choices=ANY + LoginState.CHOICES)
    role = forms.ChoiceField(required=False, label="Role", choices=ANY + ROLE_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**9)

    @property
    def filtered(self) -> bool:
        data = self.cleaned_data
        return bool(data["q"] or data["state"] or data["role"])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, error_messages=ROLE_ERRORS)


class InviteManyForm(forms.Form):
    quadrants = forms.MultipleChoiceField(
        label="Who",
        choices=[(q.value, Quadrant(q).label) for q in PERSON_QUADRANTS],
        widget=forms.CheckboxSelectMultiple,
        initial=[Quadrant.LEADERSHIP.value, Quadrant.MANAGERS.value],
        error_messages={
            "required": "Choose at least one quadrant.",
            "invalid_choice": "Choose among leadership, managers and employees.",
        },
    )
    role = forms.ChoiceField(
        label="Role they get",
        choices=ROLE_CHOICES,
        initial=Role.MANAGER.value,
        error_messages=ROLE_ERRORS,
    )


class ChoosePasswordForm(forms.Form):
    """The new login's password, held to AUTH_PASSWORD_VALIDATORS (likeness to the email too)."""

    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
        error_messages={"required": "Choose a password."},
    )
    password2 = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password a second time."},
    )

    def __init__(self, *args, email: str, name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email, self.name = email, name

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second:
            if first != second:
                self.add_error("password2", "The two passwords are not the same.")
            else:
                someone = get_user_model()(username=self.email, email=self.email)
                someone.first_name = self.name
                try:
                    password_validation.validate_password(first, someone)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return data
